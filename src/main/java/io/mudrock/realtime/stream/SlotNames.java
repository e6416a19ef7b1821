package io.mudrock.realtime.stream;

import java.security.SecureRandom;
import java.util.Locale;
import java.util.Optional;

/**
 * Replication slot names: PostgreSQL allows lower-case letters, digits and underscores, at most
 * 63 characters. A temporary slot gets a random suffix so two servers on one database, or a
 * restart that overlaps the old connection's end, never ask for the same name.
 */
final class SlotNames {

    private static final int MAX_LENGTH = 63;
    private static final int RANDOM_LENGTH = 10;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private SlotNames() {
    }

    /** {@code <base>_<10 random characters>}. */
    static String temporary(String base) {
        StringBuilder random = new StringBuilder(RANDOM_LENGTH);
        for (int i = 0; i < RANDOM_LENGTH; i++) {
            random.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        }
        return join(base, random.toString());
    }

    /** {@code <base>} or {@code <base>_<suffix>}. */
    static String permanent(String base, Optional<String> suffix) {
        return suffix.map(s -> join(base, sanitize(s))).orElseGet(() -> truncate(sanitize(base), MAX_LENGTH));
    }

    private static String join(String base, String suffix) {
        return truncate(sanitize(base), MAX_LENGTH - suffix.length() - 1) + "_" + suffix;
    }

    /** Lower-cases and replaces every character a slot name cannot hold with {@code _}. */
    static String sanitize(String name) {
        String lower = (name == null || name.isBlank() ? "realtime" : name).toLowerCase(Locale.ROOT);
        StringBuilder out = new StringBuilder(lower.length());
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            out.append((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ? c : '_');
        }
        return out.toString();
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }
}
