package io.mudrock.realtime.tenant;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An extension as the admin API receives it: a type ({@code postgres_cdc_rls}, or {@code postgres}, which
 * upstream renames) and plaintext settings that the store merges over the defaults, validates and
 * encrypts.
 *
 * @param type     extension type
 * @param settings plaintext settings as parsed from JSON (strings, numbers, booleans)
 */
public record ExtensionChange(String type, Map<String, Object> settings) {

    public ExtensionChange {
        settings = settings == null ? Map.of() : new LinkedHashMap<>(settings);
    }

    /** Never prints the settings, which hold the database password. */
    @Override
    public String toString() {
        return "ExtensionChange[type=" + type + ", settings=" + settings.keySet() + "]";
    }
}
