package io.mudrock.realtime.inspector;

import io.mudrock.realtime.config.InvalidConfigurationException;

import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * Whether the Realtime Inspector at {@code /inspector} and its {@code /api/inspector/*} endpoints are on.
 *
 * @param enabled {@code INSPECTOR}; default true only with the embedded database, so a deployment
 *                with its own database shows no inspector unless asked to
 */
public record InspectorSettings(boolean enabled) {

    /** The variable that switches the inspector. */
    public static final String INSPECTOR = "INSPECTOR";

    /**
     * Reads and validates {@code INSPECTOR}.
     *
     * @param source           looks a variable up by name; blank values count as absent
     * @param embeddedDatabase whether the server runs its own PostgreSQL (no {@code DB_HOST})
     * @throws InvalidConfigurationException when {@code INSPECTOR} is neither true nor false
     */
    public static InspectorSettings load(Function<String, Optional<String>> source, boolean embeddedDatabase) {
        Optional<String> raw = source.apply(INSPECTOR).map(String::trim).filter(v -> !v.isEmpty());
        return new InspectorSettings(raw.map(value -> switch (value.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new InvalidConfigurationException(
                    "Invalid configuration: " + INSPECTOR + " must be true or false (got '" + value + "')");
        }).orElse(embeddedDatabase));
    }
}
