package io.mudrock.realtime.protocol;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The frame format a socket negotiated with its {@code vsn} query parameter.
 *
 * <p>{@link #V1} frames are JSON objects in text frames only; {@link #V2} frames are JSON arrays
 * in text frames plus binary broadcast frames (kind 3 in, kind 4 out).
 */
public enum Serializer {
    /** {@code vsn=1.0.0}: {@code {"topic","event","payload","ref"}} objects. */
    V1("1.0.0"),
    /** {@code vsn=2.0.0}: {@code [join_ref, ref, topic, event, payload]} arrays and binary broadcasts. */
    V2("2.0.0");

    // Semantic version as Elixir's Version.parse/1 accepts it: no leading zeros, dot-separated
    // non-empty pre-release and build identifiers.
    private static final Pattern SEMVER = Pattern.compile(
            "(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)"
                    + "(?:-((?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)"
                    + "(?:\\.(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*))*))?"
                    + "(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?");

    private final String vsn;

    Serializer(String vsn) {
        this.vsn = vsn;
    }

    /** @return the canonical {@code vsn} value of this format, e.g. {@code "2.0.0"} */
    public String vsn() {
        return vsn;
    }

    /**
     * Negotiates the serializer the way Phoenix does: an absent {@code vsn} means 1.0.0, a version
     * matching {@code ~> 1.0.0} (1.0.x) selects {@link #V1}, {@code ~> 2.0.0} (2.0.x) selects
     * {@link #V2}. Pre-releases of a later patch match (Elixir's {@code allow_pre} default), but
     * {@code 1.0.0-rc} does not, being lower than 1.0.0.
     *
     * @param vsn the raw query parameter, {@code null} when absent
     * @return the serializer, or empty when the handshake must be refused
     */
    public static Optional<Serializer> fromVsn(String vsn) {
        if (vsn == null) {
            return Optional.of(V1);
        }
        Matcher m = SEMVER.matcher(vsn);
        if (!m.matches() || !m.group(2).equals("0")) {
            return Optional.empty();
        }
        // Compared as strings: "~> X.0.0" needs no arithmetic, and huge numbers cannot overflow.
        if (m.group(4) != null && m.group(3).equals("0")) {
            return Optional.empty();
        }
        return switch (m.group(1)) {
            case "1" -> Optional.of(V1);
            case "2" -> Optional.of(V2);
            default -> Optional.empty();
        };
    }
}
