package io.mudrock.realtime;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The package rules of the README's Architecture section, read from the sources: every package
 * says what lives in it, the packages form no cycle, the pure ones import nothing of ours, the
 * channel layer never sees tenants, and every public type has Javadoc.
 */
class PackageRulesTest {

    private static final Path ROOT = Path.of("src/main/java/io/mudrock/realtime");
    private static final Pattern OURS = Pattern.compile("io\\.mudrock\\.realtime\\.([a-z]+)\\.");
    private static final Pattern PUBLIC_TYPE = Pattern.compile(
            "^public (?:(?:final|abstract|sealed|non-sealed) )*(?:class|record|interface|enum|@interface) (\\w+)",
            Pattern.MULTILINE);

    private static final Pattern IMPORT = Pattern.compile("(?m)^(?:import|package) ");

    /** Package to the packages of ours its sources name. */
    private static final Map<String, Set<String>> USES = new TreeMap<>();
    private static final List<Path> SOURCES = new ArrayList<>();

    @BeforeAll
    static void readSources() throws IOException {
        try (Stream<Path> files = Files.walk(ROOT)) {
            files.filter(f -> f.toString().endsWith(".java")).sorted().forEach(SOURCES::add);
        }
        for (Path source : SOURCES) {
            String pkg = ROOT.relativize(source).getName(0).toString();
            Set<String> uses = USES.computeIfAbsent(pkg, p -> new TreeSet<>());
            Matcher m = OURS.matcher(Files.readString(source));
            while (m.find()) {
                if (!m.group(1).equals(pkg)) {
                    uses.add(m.group(1));
                }
            }
        }
    }

    @Test
    void everyPackageSaysWhatLivesInIt() {
        for (String pkg : USES.keySet()) {
            assertTrue(Files.isRegularFile(ROOT.resolve(pkg).resolve("package-info.java")), pkg + " has a package-info.java");
        }
    }

    @Test
    void packagesFormNoCycle() {
        for (String start : USES.keySet()) {
            List<String> cycle = cycleFrom(start, start, new ArrayList<>(List.of(start)), new HashSet<>());
            assertTrue(cycle.isEmpty(), "import cycle: " + String.join(" -> ", cycle));
        }
    }

    @Test
    void pureCoresImportNothingOfOurs() {
        for (String pure : List.of("changes", "protocol", "wire", "metrics", "config")) {
            assertEquals(Set.of(), USES.getOrDefault(pure, Set.of()), pure + " imports nothing of ours");
        }
    }

    @Test
    void changesSubPackagesImportDownwardsOnly() throws IOException {
        List<String> layers = List.of("pgoutput", "values", "", "filter", "catalog");
        Pattern sub = Pattern.compile("io\\.mudrock\\.realtime\\.changes\\.(?:([a-z]+)\\.)?[A-Z]");
        List<String> upwards = new ArrayList<>();
        for (Path source : SOURCES) {
            Path rel = ROOT.relativize(source);
            if (!rel.getName(0).toString().equals("changes") || rel.getFileName().toString().equals("package-info.java")) {
                continue;
            }
            String layer = rel.getNameCount() > 2 ? rel.getName(1).toString() : "";
            Matcher m = sub.matcher(Files.readString(source));
            while (m.find()) {
                String used = m.group(1) == null ? "" : m.group(1);
                if (layers.indexOf(used) > layers.indexOf(layer)) {
                    upwards.add(rel + " -> changes." + used);
                }
            }
        }
        assertEquals(List.of(), upwards, "changes sub-packages import upwards");
    }

    @Test
    void channelLayerNeverSeesTenants() {
        assertTrue(!USES.get("channel").contains("tenant"), "channel imports " + USES.get("channel"));
    }

    @Test
    void everyPublicTypeHasJavadoc() throws IOException {
        List<String> missing = new ArrayList<>();
        for (Path source : SOURCES) {
            String text = Files.readString(source);
            Matcher m = PUBLIC_TYPE.matcher(text);
            while (m.find()) {
                // Javadoc, then nothing but annotations before the declaration.
                String before = text.substring(0, m.start());
                int end = before.lastIndexOf("*/");
                int start = end < 0 ? -1 : before.lastIndexOf("/**", end);
                String between = end < 0 ? "" : before.substring(end + 2).strip();
                boolean documented = start >= 0 && before.indexOf("*/", start) == end
                        && (between.isEmpty() || between.startsWith("@") && !IMPORT.matcher(between).find());
                if (!documented) {
                    missing.add(ROOT.relativize(source) + ": " + m.group(1));
                }
            }
        }
        assertEquals(List.of(), missing, "public types without Javadoc");
    }

    private static List<String> cycleFrom(String start, String at, List<String> path, Set<String> seen) {
        for (String next : USES.getOrDefault(at, Set.of())) {
            if (next.equals(start)) {
                List<String> cycle = new ArrayList<>(path);
                cycle.add(start);
                return cycle;
            }
            if (seen.add(next)) {
                path.add(next);
                List<String> found = cycleFrom(start, next, path, seen);
                if (!found.isEmpty()) {
                    return found;
                }
                path.remove(path.size() - 1);
            }
        }
        return List.of();
    }
}
