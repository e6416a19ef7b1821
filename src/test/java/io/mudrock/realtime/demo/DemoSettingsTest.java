package io.mudrock.realtime.demo;

import io.mudrock.realtime.config.InvalidConfigurationException;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DemoSettingsTest {

    private static DemoSettings load(Map<String, String> variables, boolean embedded) {
        return DemoSettings.load(name -> Optional.ofNullable(variables.get(name)), embedded);
    }

    @Test
    void onByDefaultOnlyWithTheEmbeddedDatabase() {
        assertEquals(new DemoSettings(true, true), load(Map.of(), true));
        assertEquals(new DemoSettings(false, false), load(Map.of(), false));
        assertEquals(new DemoSettings(false, false), load(Map.of("DEMO_PAGE", " "), false), "blank counts as unset");
    }

    @Test
    void samplesNeverWriteIntoAnExternalDatabase() {
        assertEquals(new DemoSettings(true, false), load(Map.of("DEMO_PAGE", "true"), false));
        assertEquals(new DemoSettings(false, false), load(Map.of("DEMO_PAGE", "FALSE"), true));
    }

    @Test
    void anythingElseIsOneConfigurationLine() {
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> load(Map.of("DEMO_PAGE", "yes"), true));
        assertEquals("Invalid configuration: DEMO_PAGE must be true or false (got 'yes')", e.getMessage());
    }
}
