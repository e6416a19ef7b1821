package io.mudrock.realtime.inspector;

import io.mudrock.realtime.config.InvalidConfigurationException;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class InspectorSettingsTest {

    private static InspectorSettings load(Map<String, String> variables, boolean embedded) {
        return InspectorSettings.load(name -> Optional.ofNullable(variables.get(name)), embedded);
    }

    @Test
    void onByDefaultOnlyWithTheEmbeddedDatabase() {
        assertEquals(new InspectorSettings(true), load(Map.of(), true));
        assertEquals(new InspectorSettings(false), load(Map.of(), false));
        assertEquals(new InspectorSettings(false), load(Map.of("INSPECTOR", "  "), false), "blank counts as unset");
    }

    @Test
    void theVariableDecidesEitherWay() {
        assertEquals(new InspectorSettings(true), load(Map.of("INSPECTOR", "TRUE"), false));
        assertEquals(new InspectorSettings(false), load(Map.of("INSPECTOR", "false"), true));
    }

    @Test
    void anythingElseIsOneConfigurationLine() {
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> load(Map.of("INSPECTOR", "on"), true));
        assertEquals("Invalid configuration: INSPECTOR must be true or false (got 'on')", e.getMessage());
    }
}
