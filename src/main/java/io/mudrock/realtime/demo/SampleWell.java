package io.mudrock.realtime.demo;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * A made-up but plausible well for the page's "Add sample well" button: a western Canadian
 * location with a Dominion Land Survey UWI, a depth and a status.
 *
 * @param name          display name, for example {@code Kestrel 6-14}
 * @param uwi           unique well identifier, for example {@code 100/06-14-045-12W5/00}
 * @param latitude      degrees north
 * @param longitude     degrees east (negative: west)
 * @param totalDepthM   measured depth in metres, one decimal
 * @param status        one of {@link #STATUSES}
 */
public record SampleWell(String name, String uwi, double latitude, double longitude, BigDecimal totalDepthM, String status) {

    /** The statuses a sample well may have, in the order a well goes through them. */
    public static final List<String> STATUSES = List.of("planned", "drilling", "completed", "producing");

    private static final List<String> NAMES = List.of("Kestrel", "Heron", "Caribou", "Wolverine", "Lynx", "Marten",
            "Osprey", "Bison", "Ptarmigan", "Sandpiper", "Coyote", "Muskrat", "Pintail", "Goshawk");

    /** A new random sample well. */
    public static SampleWell random(RandomGenerator random) {
        int lsd = 1 + random.nextInt(16);
        int section = 1 + random.nextInt(36);
        int township = 30 + random.nextInt(90);
        int range = 1 + random.nextInt(30);
        int meridian = 4 + random.nextInt(3);
        String name = NAMES.get(random.nextInt(NAMES.size())) + " " + lsd + "-" + section;
        String uwi = String.format(Locale.ROOT, "100/%02d-%02d-%03d-%02dW%d/00", lsd, section, township, range, meridian);
        double latitude = round(52 + random.nextDouble() * 4, 5);
        double longitude = round(-118 + random.nextDouble() * 8, 5);
        BigDecimal depth = BigDecimal.valueOf(900 + random.nextDouble() * 3300).setScale(1, RoundingMode.HALF_UP);
        return new SampleWell(name, uwi, latitude, longitude, depth, STATUSES.get(random.nextInt(STATUSES.size())));
    }

    private static double round(double value, int decimals) {
        return BigDecimal.valueOf(value).setScale(decimals, RoundingMode.HALF_UP).doubleValue();
    }
}
