package io.mudrock.realtime.changes.values;

import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.ZoneId;

/**
 * Parses PostgreSQL date/time text into comparable longs without allocating: the ISO output of
 * pgoutput (DateStyle ISO, IntervalStyle postgres) for row values, and the common ISO-8601 style
 * inputs for filter values. Named time zones are accepted in filter values only.
 *
 * <p>Results: dates as days and timestamps as microseconds since 1970-01-01 (with
 * {@link Long#MIN_VALUE}/{@link Long#MAX_VALUE} for -infinity/infinity), times as microseconds
 * of the day, {@code timetz} as a key ordering like PostgreSQL's {@code timetz_cmp}, intervals as
 * their span in microseconds (30-day months, 24-hour days, as {@code interval_cmp} counts them).
 */
public final class PgDateTimes {

    static final long MICROS_PER_SECOND = 1_000_000L;
    static final long MICROS_PER_DAY = 86_400L * MICROS_PER_SECOND;
    private static final long MAX_OFFSET_SECONDS = 15 * 3600 + 59 * 60 + 59;

    private PgDateTimes() {
    }

    /** Why text was rejected; the caller turns it into the matching PostgreSQL error. */
    public static final class InputException extends RuntimeException {
        public enum Kind { SYNTAX, RANGE, ZONE, DISPLACEMENT }

        public final Kind kind;
        public final String zone;

        InputException(Kind kind, String zone) {
            super(kind.name(), null, false, false);
            this.kind = kind;
            this.zone = zone;
        }
    }

    private static final InputException SYNTAX = new InputException(InputException.Kind.SYNTAX, null);
    private static final InputException RANGE = new InputException(InputException.Kind.RANGE, null);
    private static final InputException DISPLACEMENT = new InputException(InputException.Kind.DISPLACEMENT, null);

    /** What {@link #parseTimestamp} returns. */
    public enum Kind { DATE, TIMESTAMP, TIMESTAMPTZ }

    /**
     * Parses a date, timestamp or timestamptz.
     *
     * @return days (DATE) or microseconds (TIMESTAMP: as if UTC; TIMESTAMPTZ: UTC instant; no zone
     * means UTC, the walsender's session time zone) since 1970-01-01
     */
    public static long parseTimestamp(String s, Kind kind) {
        int end = trimEnd(s);
        int i = skipSpace(s, 0);
        if (isWord(s, i, end, "infinity") || isWord(s, i, end, "+infinity")) {
            return Long.MAX_VALUE;
        }
        if (isWord(s, i, end, "-infinity")) {
            return Long.MIN_VALUE;
        }
        if (isWord(s, i, end, "epoch")) {
            return 0;
        }
        // Date: year-month-day (year of any length, as PostgreSQL writes years past 9999).
        int start = i;
        long year = 0;
        while (i < end && isDigit(s.charAt(i))) {
            year = year * 10 + (s.charAt(i++) - '0');
            if (year > 5_874_897L) {
                throw RANGE;
            }
        }
        if (i == start || i >= end || s.charAt(i) != '-') {
            throw SYNTAX;
        }
        start = ++i;
        int month = 0;
        while (i < end && isDigit(s.charAt(i)) && i - start < 2) {
            month = month * 10 + (s.charAt(i++) - '0');
        }
        if (i == start || i >= end || s.charAt(i) != '-') {
            throw SYNTAX;
        }
        start = ++i;
        int day = 0;
        while (i < end && isDigit(s.charAt(i)) && i - start < 2) {
            day = day * 10 + (s.charAt(i++) - '0');
        }
        if (i == start) {
            throw SYNTAX;
        }
        long timeOfDay = 0;
        long offsetSeconds = 0;
        boolean zoneGiven = false;
        String zoneName = null;
        boolean bc = false;
        if (i < end && (s.charAt(i) == 'T' || s.charAt(i) == 't' || s.charAt(i) == ' ')) {
            int t = s.charAt(i) == ' ' ? skipSpace(s, i) : i + 1;
            if (t < end && isDigit(s.charAt(t))) {
                i = t;
                timeOfDay = parseTime(s, i, end, false);
                i = timeEnd(s, i, end);
            }
        }
        // Optional zone, then optional era.
        i = skipSpace(s, i);
        if (i < end && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            long packed = parseOffset(s, i, end);
            offsetSeconds = packed >> 8;
            i += (int) (packed & 0xFF);
            zoneGiven = true;
        } else if (i < end && isZoneStart(s.charAt(i)) && !isEra(s, i, end)) {
            int zoneEnd = i;
            while (zoneEnd < end && !Character.isWhitespace(s.charAt(zoneEnd))) {
                zoneEnd++;
            }
            if (zoneEnd - i == 1 && (s.charAt(i) == 'Z' || s.charAt(i) == 'z')) {
                zoneGiven = true;
            } else {
                zoneName = s.substring(i, zoneEnd); // filter values only: rows carry numeric offsets
                zoneGiven = true;
            }
            i = zoneEnd;
        }
        i = skipSpace(s, i);
        if (isEra(s, i, end)) {
            bc = s.charAt(i) == 'B' || s.charAt(i) == 'b';
            i += 2;
        }
        if (skipSpace(s, i) != end) {
            throw SYNTAX;
        }
        if (year == 0 || month < 1 || month > 12 || day < 1) {
            throw RANGE;
        }
        long astronomicalYear = bc ? 1 - year : year;
        if (day > daysInMonth(astronomicalYear, month)) {
            throw RANGE;
        }
        long days = daysFromCivil(astronomicalYear, month, day);
        if (kind == Kind.DATE) {
            return days;
        }
        long micros = days * MICROS_PER_DAY + timeOfDay;
        if (kind == Kind.TIMESTAMPTZ && zoneGiven) {
            if (zoneName != null) {
                offsetSeconds = zoneOffset(zoneName, astronomicalYear, month, day, timeOfDay);
            }
            micros -= offsetSeconds * MICROS_PER_SECOND;
        }
        return micros;
    }

    /** Parses a time of day ({@code HH:MM[:SS[.ffffff]]}, 24:00:00 allowed) to microseconds. */
    public static long parseTimeOfDay(String s) {
        int end = trimEnd(s);
        int i = skipSpace(s, 0);
        long micros = parseTime(s, i, end, false);
        if (skipSpace(s, timeEnd(s, i, end)) != end) {
            throw SYNTAX;
        }
        return micros;
    }

    /**
     * Parses a {@code timetz} to a key that orders like {@code timetz_cmp}: first the UTC time,
     * then the zone (PostgreSQL counts zones west-positive, so an earlier zone sorts after).
     */
    public static long parseTimeTz(String s) {
        int end = trimEnd(s);
        int i = skipSpace(s, 0);
        long time = parseTime(s, i, end, false);
        i = skipSpace(s, timeEnd(s, i, end));
        long offsetSeconds = 0;
        if (i < end && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            long offset = parseOffset(s, i, end);
            offsetSeconds = offset >> 8;
            i += (int) (offset & 0xFF);
        } else if (i < end && (s.charAt(i) == 'Z' || s.charAt(i) == 'z')) {
            i++;
        }
        if (skipSpace(s, i) != end) {
            throw SYNTAX;
        }
        long utc = time - offsetSeconds * MICROS_PER_SECOND;
        long zoneWest = -offsetSeconds;
        // utc fits in 40 bits (a few days of micros), zoneWest + 2^17 in 18 bits.
        return (utc << 18) + (zoneWest + (1 << 17));
    }

    /**
     * Parses an interval (postgres style {@code 1 year 2 mons -3 days +04:05:06.5 [ago]}, with the
     * usual unit names and abbreviations and fractional quantities, or ISO 8601 {@code P1Y2M3DT4H})
     * to its span in microseconds.
     */
    public static long parseInterval(String s) {
        int end = trimEnd(s);
        int i = skipSpace(s, 0);
        if (i < end && s.charAt(i) == '@') {
            i = skipSpace(s, i + 1);
        }
        if (i < end && (s.charAt(i) == 'P' || s.charAt(i) == 'p')) {
            return parseIsoInterval(s, i + 1, end);
        }
        if (i == end) {
            throw SYNTAX;
        }
        long months = 0;
        long days = 0;
        long micros = 0;
        boolean ago = false;
        boolean pendingBare = false;
        long bareValue = 0;
        while (i < end) {
            if (ago) {
                throw SYNTAX; // "ago" must come last
            }
            char c = s.charAt(i);
            if (Character.isLetter(c)) {
                int wordEnd = wordEnd(s, i, end);
                if (wordEnd - i == 3 && s.regionMatches(true, i, "ago", 0, 3)) {
                    ago = true;
                    i = skipSpace(s, wordEnd);
                    continue;
                }
                throw SYNTAX;
            }
            int numberStart = i;
            boolean negative = false;
            if (c == '+' || c == '-') {
                negative = c == '-';
                i++;
            }
            int digitsStart = i;
            long whole = 0;
            while (i < end && isDigit(s.charAt(i))) {
                whole = Math.addExact(Math.multiplyExact(whole, 10), s.charAt(i++) - '0');
            }
            if (i < end && s.charAt(i) == ':') {
                // A time field: [+-]H:MM[:SS[.f]], possibly after a bare number that then means days.
                long time = parseTime(s, digitsStart, end, true);
                micros = Math.addExact(micros, negative ? -time : time);
                i = timeEnd(s, digitsStart, end);
                if (pendingBare) {
                    days = Math.addExact(days, bareValue);
                    pendingBare = false;
                }
                i = skipSpace(s, i);
                continue;
            }
            if (i < end && s.charAt(i) == '-' && !negative && i > digitsStart && i + 1 < end && isDigit(s.charAt(i + 1))) {
                // SQL standard year-month: Y-M
                i++;
                long m = 0;
                while (i < end && isDigit(s.charAt(i))) {
                    m = Math.addExact(Math.multiplyExact(m, 10), s.charAt(i++) - '0');
                }
                months = Math.addExact(months, Math.addExact(Math.multiplyExact(whole, 12), m));
                i = skipSpace(s, i);
                continue;
            }
            double fraction = 0;
            if (i < end && s.charAt(i) == '.') {
                int fractionStart = ++i;
                while (i < end && isDigit(s.charAt(i))) {
                    i++;
                }
                if (i > fractionStart) {
                    fraction = Double.parseDouble(s.substring(fractionStart - 1, i)); // filter input only
                }
            }
            if (i == digitsStart || (i == digitsStart + 1 && s.charAt(digitsStart) == '.')) {
                throw SYNTAX;
            }
            i = skipSpace(s, i);
            if (pendingBare) {
                throw SYNTAX; // two bare numbers
            }
            if (i < end && Character.isLetter(s.charAt(i)) && !(wordEnd(s, i, end) - i == 3 && s.regionMatches(true, i, "ago", 0, 3))) {
                int wordEnd = wordEnd(s, i, end);
                long[] unit = unit(s, i, wordEnd);
                if (unit == null) {
                    throw SYNTAX;
                }
                long sign = negative ? -1 : 1;
                long unitMonths = unit[0];
                long unitMicros = unit[1];
                if (unitMonths > 0) {
                    months = Math.addExact(months, sign * whole * unitMonths);
                    double spill = fraction * unitMonths; // fractional months spill into days and time
                    long spillMonths = (long) spill;
                    months = Math.addExact(months, sign * spillMonths);
                    double spillDays = (spill - spillMonths) * 30;
                    days = Math.addExact(days, sign * (long) spillDays);
                    micros = Math.addExact(micros, sign * Math.round((spillDays - (long) spillDays) * MICROS_PER_DAY));
                } else if (unitMicros == MICROS_PER_DAY || unitMicros == 7 * MICROS_PER_DAY) {
                    long unitDays = unitMicros / MICROS_PER_DAY;
                    days = Math.addExact(days, sign * whole * unitDays);
                    double spillDays = fraction * unitDays;
                    days = Math.addExact(days, sign * (long) spillDays);
                    micros = Math.addExact(micros, sign * Math.round((spillDays - (long) spillDays) * MICROS_PER_DAY));
                } else {
                    micros = Math.addExact(micros, sign * Math.addExact(Math.multiplyExact(whole, unitMicros),
                            Math.round(fraction * unitMicros)));
                }
                i = skipSpace(s, wordEnd);
            } else {
                // A bare number: days when a time follows, else seconds.
                if (fraction != 0) {
                    micros = Math.addExact(micros, (negative ? -1 : 1) * Math.round(fraction * MICROS_PER_SECOND));
                }
                pendingBare = true;
                bareValue = negative ? -whole : whole;
                if (i == numberStart) {
                    throw SYNTAX;
                }
            }
        }
        if (pendingBare) {
            micros = Math.addExact(micros, Math.multiplyExact(bareValue, MICROS_PER_SECOND));
        }
        long span = span(months, days, micros);
        return ago ? -span : span;
    }

    private static long parseIsoInterval(String s, int i, int end) {
        long months = 0;
        long days = 0;
        long micros = 0;
        boolean time = false;
        boolean any = false;
        while (i < end) {
            char c = s.charAt(i);
            if (c == 'T' || c == 't') {
                time = true;
                i++;
                continue;
            }
            boolean negative = c == '-';
            if (c == '-' || c == '+') {
                i++;
            }
            int start = i;
            while (i < end && (isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            if (i == start || i >= end) {
                throw SYNTAX;
            }
            double value = Double.parseDouble(s.substring(start, i)) * (negative ? -1 : 1);
            char designator = Character.toUpperCase(s.charAt(i++));
            any = true;
            if (!time) {
                switch (designator) {
                    case 'Y' -> months = Math.addExact(months, Math.round(value * 12));
                    case 'M' -> {
                        long whole = (long) value;
                        months = Math.addExact(months, whole);
                        days = Math.addExact(days, Math.round((value - whole) * 30));
                    }
                    case 'W' -> days = Math.addExact(days, Math.round(value * 7));
                    case 'D' -> {
                        long whole = (long) value;
                        days = Math.addExact(days, whole);
                        micros = Math.addExact(micros, Math.round((value - whole) * MICROS_PER_DAY));
                    }
                    default -> throw SYNTAX;
                }
            } else {
                long unit = switch (designator) {
                    case 'H' -> 3600 * MICROS_PER_SECOND;
                    case 'M' -> 60 * MICROS_PER_SECOND;
                    case 'S' -> MICROS_PER_SECOND;
                    default -> throw SYNTAX;
                };
                micros = Math.addExact(micros, Math.round(value * unit));
            }
        }
        if (!any) {
            throw SYNTAX;
        }
        return span(months, days, micros);
    }

    private static long span(long months, long days, long micros) {
        try {
            return Math.addExact(Math.multiplyExact(Math.addExact(Math.multiplyExact(months, 30), days), MICROS_PER_DAY), micros);
        } catch (ArithmeticException e) {
            throw RANGE;
        }
    }

    /** Unit of an interval field: {months, micros}; null if unknown. */
    private static long[] unit(String s, int start, int end) {
        for (Object[] entry : UNITS) {
            String name = (String) entry[0];
            if (name.length() == end - start && s.regionMatches(true, start, name, 0, name.length())) {
                return (long[]) entry[1];
            }
        }
        return null;
    }

    private static final Object[][] UNITS = units();

    private static Object[][] units() {
        long[] us = {0, 1};
        long[] ms = {0, 1000};
        long[] sec = {0, MICROS_PER_SECOND};
        long[] min = {0, 60 * MICROS_PER_SECOND};
        long[] hour = {0, 3600 * MICROS_PER_SECOND};
        long[] day = {0, MICROS_PER_DAY};
        long[] week = {0, 7 * MICROS_PER_DAY};
        long[] month = {1, 0};
        long[] year = {12, 0};
        long[] decade = {120, 0};
        long[] century = {1200, 0};
        long[] millennium = {12000, 0};
        return new Object[][] {
                {"microsecond", us}, {"microseconds", us}, {"usec", us}, {"usecs", us}, {"us", us},
                {"millisecond", ms}, {"milliseconds", ms}, {"msec", ms}, {"msecs", ms}, {"ms", ms},
                {"second", sec}, {"seconds", sec}, {"sec", sec}, {"secs", sec}, {"s", sec},
                {"minute", min}, {"minutes", min}, {"min", min}, {"mins", min}, {"m", min},
                {"hour", hour}, {"hours", hour}, {"hr", hour}, {"hrs", hour}, {"h", hour},
                {"day", day}, {"days", day}, {"d", day},
                {"week", week}, {"weeks", week}, {"w", week},
                {"month", month}, {"months", month}, {"mon", month}, {"mons", month},
                {"year", year}, {"years", year}, {"yr", year}, {"yrs", year}, {"y", year},
                {"decade", decade}, {"decades", decade}, {"dec", decade}, {"decs", decade},
                {"century", century}, {"centuries", century},
                {"millennium", millennium}, {"millennia", millennium}, {"mil", millennium}, {"mils", millennium}};
    }

    /** {@code H:MM[:SS[.f]]} at {@code start} to microseconds; hours above 24 only in intervals. */
    private static long parseTime(String s, int start, int end, boolean unboundedHours) {
        int i = start;
        long hour = 0;
        int digits = 0;
        while (i < end && isDigit(s.charAt(i))) {
            hour = hour * 10 + (s.charAt(i++) - '0');
            if (++digits > 8) {
                throw RANGE;
            }
        }
        if (digits == 0 || i >= end || s.charAt(i) != ':') {
            throw SYNTAX;
        }
        i++;
        int minute = twoDigits(s, i, end);
        i += 2;
        int second = 0;
        long fraction = 0;
        if (i < end && s.charAt(i) == ':') {
            second = twoDigits(s, i + 1, end);
            i += 3;
            if (i < end && s.charAt(i) == '.') {
                i++;
                int fractionStart = i;
                long scale = 100_000;
                while (i < end && isDigit(s.charAt(i))) {
                    int d = s.charAt(i) - '0';
                    if (scale >= 1) {
                        fraction += d * scale;
                    } else if (i == fractionStart + 6) {
                        // Round half to even at microseconds, as PostgreSQL's rint() does.
                        boolean more = false;
                        for (int j = i + 1; j < end && isDigit(s.charAt(j)); j++) {
                            more |= s.charAt(j) != '0';
                        }
                        if (d > 5 || (d == 5 && (more || (fraction & 1) == 1))) {
                            fraction++;
                        }
                    }
                    scale /= 10;
                    i++;
                }
                if (i == fractionStart) {
                    throw SYNTAX;
                }
            }
        }
        if (minute > 59 || second > 60 || (!unboundedHours && (hour > 24 || (hour == 24 && (minute > 0 || second > 0 || fraction > 0))))) {
            throw RANGE;
        }
        return ((hour * 60 + minute) * 60 + second) * MICROS_PER_SECOND + fraction;
    }

    /** End of the time field starting at {@code i}. */
    private static int timeEnd(String s, int i, int end) {
        while (i < end && (isDigit(s.charAt(i)) || s.charAt(i) == ':' || s.charAt(i) == '.')) {
            i++;
        }
        return i;
    }

    /** {@code +HH[[:]MM[[:]SS]]} at {@code i}; returns offset seconds << 8 | consumed chars. */
    private static long parseOffset(String s, int start, int end) {
        int i = start;
        boolean negative = s.charAt(i++) == '-';
        int hourStart = i;
        long hour = 0;
        while (i < end && isDigit(s.charAt(i)) && i - hourStart < 2) {
            hour = hour * 10 + (s.charAt(i++) - '0');
        }
        if (i == hourStart) {
            throw SYNTAX;
        }
        long minute = 0;
        long second = 0;
        if (i < end && (s.charAt(i) == ':' || isDigit(s.charAt(i)))) {
            i += s.charAt(i) == ':' ? 1 : 0;
            minute = twoDigits(s, i, end);
            i += 2;
            if (i < end && (s.charAt(i) == ':' || isDigit(s.charAt(i)))) {
                i += s.charAt(i) == ':' ? 1 : 0;
                second = twoDigits(s, i, end);
                i += 2;
            }
        }
        long seconds = hour * 3600 + minute * 60 + second;
        if (minute > 59 || second > 59) {
            throw RANGE;
        }
        if (seconds > MAX_OFFSET_SECONDS) {
            throw DISPLACEMENT;
        }
        return ((negative ? -seconds : seconds) << 8) | (i - start);
    }

    private static long zoneOffset(String name, long year, int month, int day, long timeOfDay) {
        try {
            ZoneId zone = ZoneId.of(name, ZoneId.SHORT_IDS);
            LocalDateTime local = LocalDateTime.of((int) year, month, day, 0, 0).plusNanos(timeOfDay * 1000);
            return zone.getRules().getOffset(local).getTotalSeconds();
        } catch (DateTimeException e) {
            throw new InputException(InputException.Kind.ZONE, name);
        }
    }

    private static boolean isWord(String s, int i, int end, String word) {
        return end - i == word.length() && s.regionMatches(true, i, word, 0, word.length());
    }

    private static boolean isEra(String s, int i, int end) {
        if (i + 2 > end || (i + 2 < end && !Character.isWhitespace(s.charAt(i + 2)))) {
            return false;
        }
        return s.regionMatches(true, i, "BC", 0, 2) || s.regionMatches(true, i, "AD", 0, 2);
    }

    private static boolean isZoneStart(char c) {
        return Character.isLetter(c);
    }

    private static int wordEnd(String s, int i, int end) {
        while (i < end && Character.isLetter(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static int twoDigits(String s, int i, int end) {
        if (i + 2 > end || !isDigit(s.charAt(i)) || !isDigit(s.charAt(i + 1))) {
            throw SYNTAX;
        }
        return (s.charAt(i) - '0') * 10 + (s.charAt(i + 1) - '0');
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static int skipSpace(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static int trimEnd(String s) {
        int end = s.length();
        while (end > 0 && Character.isWhitespace(s.charAt(end - 1))) {
            end--;
        }
        return end;
    }

    static int daysInMonth(long year, int month) {
        return switch (month) {
            case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (astronomical year numbering). */
    static long daysFromCivil(long year, int month, int day) {
        long y = month <= 2 ? year - 1 : year;
        long era = Math.floorDiv(y, 400);
        long yoe = y - era * 400;
        long doy = (153L * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
        long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146_097 + doe - 719_468;
    }
}
