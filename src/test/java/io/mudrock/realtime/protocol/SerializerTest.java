package io.mudrock.realtime.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SerializerTest {

    @Test
    void absentVsnMeansV1() {
        assertEquals(Optional.of(Serializer.V1), Serializer.fromVsn(null));
    }

    @ParameterizedTest(name = "vsn \"{0}\" -> {1}")
    @CsvSource(delimiter = '|', nullValues = "NONE", value = {
        "1.0.0|V1",
        "1.0.1|V1",
        "1.0.99|V1",
        "1.0.1-rc.1|V1",      // a later patch's pre-release still matches ~> 1.0.0
        "1.0.0+build.5|V1",   // build metadata is ignored
        "2.0.0|V2",
        "2.0.7|V2",
        "2.0.3-beta|V2",
        "1.0.0-rc|NONE",      // lower than 1.0.0
        "2.0.0-alpha.1|NONE",
        "1.1.0|NONE",
        "2.1.0|NONE",
        "3.0.0|NONE",
        "0.9.0|NONE",
        "1.0|NONE",
        "2|NONE",
        "'' |NONE",
        "v2.0.0|NONE",
        "01.0.0|NONE",
        "1.00.0|NONE",
        "1.0.01|NONE",
        "1.0.1-01|NONE",      // numeric pre-release identifiers have no leading zeros
        "1.0.1-|NONE",
        "1.0.1-a..b|NONE",
        "1.0.0+|NONE",
        "' 1.0.0'|NONE",
        "'2.0.0 '|NONE",
        "2.0.0.0|NONE",
        "1.0.99999999999999999999999|V1",
    })
    void negotiatesLikePhoenix(String vsn, String expected) {
        Optional<Serializer> want = expected == null ? Optional.empty() : Optional.of(Serializer.valueOf(expected));
        assertEquals(want, Serializer.fromVsn(vsn));
    }

    @Test
    void canonicalVersions() {
        assertEquals("1.0.0", Serializer.V1.vsn());
        assertEquals("2.0.0", Serializer.V2.vsn());
    }
}
