package io.mudrock.realtime.changes.filter;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A compiled LIKE/ILIKE pattern, matched without backtracking: {@code %} splits the pattern into
 * segments of fixed length ({@code _} is one character, anything else itself, {@code \} escapes
 * the next character). The first segment must match at the start, the last at the end, and each
 * one between at its leftmost place after the previous one. Leftmost is exact because segments
 * have a fixed length: a later place never leaves more room for what follows. A segment between
 * is found with the shift-and (bitap) algorithm, which reads each character once and keeps one bit
 * per segment position, so a match costs about (value length) x (pattern length / 64) steps.
 *
 * <p>Characters are code points, as PostgreSQL's in a UTF-8 database; ILIKE compares them folded
 * with {@code toLowerCase(toUpperCase(c))} (Unicode simple case mapping). Immutable and
 * thread-safe; matching allocates only a segment's state words.
 */
final class LikePattern {

    /** Marks {@code _} in a segment. */
    private static final int ANY = -1;

    private final Segment[] segments;
    private final boolean caseInsensitive;

    private LikePattern(Segment[] segments, boolean caseInsensitive) {
        this.segments = segments;
        this.caseInsensitive = caseInsensitive;
    }

    /**
     * Compiles a pattern.
     *
     * @throws FilterValidationException PostgreSQL's error when the pattern ends with the escape
     */
    static LikePattern compile(String like, boolean caseInsensitive) throws FilterValidationException {
        List<Segment> segments = new ArrayList<>();
        List<Integer> current = new ArrayList<>();
        for (int i = 0; i < like.length(); ) {
            int c = like.codePointAt(i);
            i += Character.charCount(c);
            if (c == '%') {
                segments.add(new Segment(current));
                current.clear();
                continue;
            }
            if (c == '_') {
                current.add(ANY);
                continue;
            }
            if (c == '\\') {
                if (i == like.length()) {
                    throw new FilterValidationException("22025", "invalid_escape_sequence",
                            "LIKE pattern must not end with escape character");
                }
                c = like.codePointAt(i);
                i += Character.charCount(c);
            }
            current.add(caseInsensitive ? fold(c) : c);
        }
        segments.add(new Segment(current));
        return new LikePattern(segments.toArray(new Segment[0]), caseInsensitive);
    }

    private static int fold(int c) {
        return Character.toLowerCase(Character.toUpperCase(c));
    }

    private int read(String value, int index) {
        int c = value.codePointAt(index);
        return caseInsensitive ? fold(c) : c;
    }

    /** Whether the whole value matches. */
    boolean matches(String value) {
        int last = segments.length - 1;
        if (last == 0) {
            return matchAt(segments[0], value, 0) == value.length();
        }
        int position = matchAt(segments[0], value, 0);
        if (position < 0) {
            return false;
        }
        for (int s = 1; s < last && position >= 0; s++) {
            position = find(segments[s], value, position);
        }
        if (position < 0) {
            return false;
        }
        // The last segment must end the value: it starts its length in code points before the end.
        Segment tail = segments[last];
        int start = value.length();
        for (int k = 0; k < tail.items.length; k++) {
            if (start <= position) {
                return false;
            }
            start = value.offsetByCodePoints(start, -1);
        }
        return matchAt(tail, value, start) == value.length();
    }

    /** The end of {@code segment} matched at {@code start}, or -1. */
    private int matchAt(Segment segment, String value, int start) {
        int i = start;
        for (int expected : segment.items) {
            if (i >= value.length()) {
                return -1;
            }
            int c = read(value, i);
            i += Character.charCount(value.codePointAt(i));
            if (expected != ANY && expected != c) {
                return -1;
            }
        }
        return i;
    }

    /** The end of the leftmost match of {@code segment} at or after {@code from}, or -1 (shift-and). */
    private int find(Segment segment, String value, int from) {
        int length = segment.items.length;
        if (length == 0) {
            return from;
        }
        int words = segment.anyMask.length;
        long[] state = new long[words];
        int lastWord = (length - 1) >>> 6;
        long lastBit = 1L << ((length - 1) & 63);
        for (int i = from; i < value.length(); ) {
            long[] mask = segment.mask(read(value, i));
            i += Character.charCount(value.codePointAt(i));
            long carry = 1; // a match may start at every character
            for (int w = 0; w < words; w++) {
                long next = state[w] >>> 63;
                state[w] = ((state[w] << 1) | carry) & mask[w];
                carry = next;
            }
            if ((state[lastWord] & lastBit) != 0) {
                return i;
            }
        }
        return -1;
    }

    /** One fixed-length segment with its shift-and masks: bit j set where position j accepts a character. */
    private static final class Segment {
        final int[] items;
        /** The distinct characters of the segment, sorted, and their masks. */
        final int[] characters;
        final long[][] masks;
        /** The mask of a character the segment does not name: only its {@code _} positions. */
        final long[] anyMask;

        Segment(List<Integer> list) {
            items = list.stream().mapToInt(Integer::intValue).toArray();
            characters = Arrays.stream(items).filter(c -> c != ANY).distinct().sorted().toArray();
            int words = Math.max(1, (items.length + 63) >>> 6);
            anyMask = new long[words];
            masks = new long[characters.length][words];
            for (int j = 0; j < items.length; j++) {
                long bit = 1L << (j & 63);
                if (items[j] == ANY) {
                    anyMask[j >>> 6] |= bit;
                    for (long[] mask : masks) {
                        mask[j >>> 6] |= bit;
                    }
                } else {
                    masks[Arrays.binarySearch(characters, items[j])][j >>> 6] |= bit;
                }
            }
        }

        long[] mask(int c) {
            int found = Arrays.binarySearch(characters, c);
            return found >= 0 ? masks[found] : anyMask;
        }
    }
}
