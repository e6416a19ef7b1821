package io.mudrock.realtime.demo;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SampleWellTest {

    @Test
    void samplesArePlausibleWesternCanadianWells() {
        Random random = new Random(42);
        Set<String> uwis = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            SampleWell well = SampleWell.random(random);
            assertTrue(well.uwi().matches("100/(0[1-9]|1[0-6])-([0-2][0-9]|3[0-6])-\\d{3}-([0-2][0-9]|30)W[4-6]/00"), well.uwi());
            assertTrue(well.name().matches("[A-Z][a-z]+ \\d{1,2}-\\d{1,2}"), well.name());
            assertTrue(well.latitude() >= 52 && well.latitude() <= 56, well.toString());
            assertTrue(well.longitude() >= -118 && well.longitude() <= -110, well.toString());
            assertEquals(1, well.totalDepthM().scale());
            assertTrue(well.totalDepthM().doubleValue() >= 900 && well.totalDepthM().doubleValue() <= 4200, well.toString());
            assertTrue(SampleWell.STATUSES.contains(well.status()));
            uwis.add(well.uwi());
        }
        assertTrue(uwis.size() > 990, "UWIs rarely repeat: " + uwis.size() + " distinct of 1000");
    }
}
