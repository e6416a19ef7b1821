package io.mudrock.realtime.demo;

import io.mudrock.realtime.config.InvalidConfigurationException;

import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * Whether the wells page and its endpoints are on.
 *
 * @param pageEnabled        {@code DEMO_PAGE}: serve the page at {@code /} and its read endpoints;
 *                           default true only with the embedded database
 * @param sampleWellsEnabled the add-a-sample-well endpoint: on with the page, and only with the
 *                           embedded database, so it can never write into a real deployment's table
 */
public record DemoSettings(boolean pageEnabled, boolean sampleWellsEnabled) {

    /** The variable that switches the page. */
    public static final String DEMO_PAGE = "DEMO_PAGE";

    /**
     * Reads and validates {@code DEMO_PAGE}.
     *
     * @param source           looks a variable up by name; blank values count as absent
     * @param embeddedDatabase whether the server runs its own PostgreSQL (no {@code DB_HOST})
     * @throws InvalidConfigurationException when {@code DEMO_PAGE} is neither true nor false
     */
    public static DemoSettings load(Function<String, Optional<String>> source, boolean embeddedDatabase) {
        Optional<String> raw = source.apply(DEMO_PAGE).map(String::trim).filter(v -> !v.isEmpty());
        boolean page = raw.map(value -> switch (value.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new InvalidConfigurationException(
                    "Invalid configuration: " + DEMO_PAGE + " must be true or false (got '" + value + "')");
        }).orElse(embeddedDatabase);
        return new DemoSettings(page, page && embeddedDatabase);
    }
}
