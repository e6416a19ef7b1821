package io.mudrock.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Java Flight Recorder on our server for one phase ({@code --profile on}): started and dumped
 * with jcmd, then summarised from {@code jfr print} as the hottest methods by self samples and
 * the hottest of our own methods (io.mudrock) by inclusive samples. No agent, nothing to install.
 */
public final class Profiler {

    private final long pid;
    private final Path file;
    private final boolean on;

    public Profiler(ServerProcess server, Path dir, String label, boolean on) {
        this.pid = server.pid();
        this.file = dir.resolve("profile-" + label.replaceAll("[^A-Za-z0-9]+", "-") + "-" + System.currentTimeMillis() + ".jfr");
        this.on = on && ProcessHandle.of(pid).flatMap(h -> h.info().command()).map(c -> c.endsWith("/java")).orElse(false);
    }

    /** {@code Bench profile <pid> <seconds>}: profiles any running JVM (e.g. a dev server) and prints the summary. */
    public static void main(String[] args) throws Exception {
        long pid = Long.parseLong(args[0]);
        Profiler p = new Profiler(ServerProcess.attach(0, pid), Path.of("/tmp/mudrock-bench/profiles"), "adhoc", true);
        p.start();
        Thread.sleep(Long.parseLong(args[1]) * 1000);
        print("pid " + pid, p.stop());
    }

    public void start() {
        if (!on) {
            return;
        }
        try {
            Files.createDirectories(file.getParent());
            run("jcmd", Long.toString(pid), "JFR.start", "name=bench", "settings=profile");
        } catch (Exception e) {
            System.err.println("warning: JFR start failed: " + e);
        }
    }

    /** Stops the recording and returns the summary (empty when profiling is off or failed). */
    public Map<String, Object> stop() {
        Map<String, Object> out = new LinkedHashMap<>();
        if (!on) {
            return out;
        }
        try {
            run("jcmd", Long.toString(pid), "JFR.stop", "name=bench", "filename=" + file);
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jfr").toString(), "print",
                    "--events", "jdk.ExecutionSample", file.toString()).redirectErrorStream(true).start();
            Map<String, Integer> self = new HashMap<>();
            Map<String, Integer> ours = new HashMap<>();
            int samples = 0;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                boolean inStack = false;
                boolean top = false;
                java.util.Set<String> seen = new java.util.HashSet<>();
                while ((line = r.readLine()) != null) {
                    String t = line.trim();
                    if (t.startsWith("stackTrace = [")) {
                        inStack = true;
                        top = true;
                        seen.clear();
                        samples++;
                        continue;
                    }
                    if (inStack) {
                        if (t.startsWith("]")) {
                            inStack = false;
                            continue;
                        }
                        String m = t.replaceAll(" line: \\d+.*$", "").replaceAll("\\s+bci:.*$", "");
                        if (m.equals("...")) {
                            continue;
                        }
                        if (top) {
                            self.merge(m, 1, Integer::sum);
                            top = false;
                        }
                        if (m.startsWith("io.mudrock") && seen.add(m)) {
                            ours.merge(m, 1, Integer::sum);
                        }
                    }
                }
            }
            p.waitFor();
            out.put("jfr_file", file.toString());
            out.put("execution_samples", samples);
            out.put("top_self", top(self, samples, 15));
            out.put("top_ours_inclusive", top(ours, samples, 15));
        } catch (Exception e) {
            out.put("error", e.toString());
        }
        return out;
    }

    private static List<String> top(Map<String, Integer> m, int total, int n) {
        List<Map.Entry<String, Integer>> l = new ArrayList<>(m.entrySet());
        l.sort((a, b) -> b.getValue() - a.getValue());
        List<String> out = new ArrayList<>();
        for (int i = 0; i < Math.min(n, l.size()); i++) {
            out.add(String.format("%5.1f%%  %s", 100.0 * l.get(i).getValue() / Math.max(1, total), l.get(i).getKey()));
        }
        return out;
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor();
    }

    public static void print(String label, Map<String, Object> summary) {
        if (summary.isEmpty()) {
            return;
        }
        System.out.println("profile (" + label + "), " + summary.get("execution_samples") + " samples, " + summary.get("jfr_file"));
        Object s = summary.get("top_self");
        if (s instanceof List<?> l) {
            System.out.println("  hottest methods (self):");
            for (Object o : l.subList(0, Math.min(8, l.size()))) {
                System.out.println("    " + o);
            }
        }
        Object ours = summary.get("top_ours_inclusive");
        if (ours instanceof List<?> l) {
            System.out.println("  our methods (inclusive):");
            for (Object o : l.subList(0, Math.min(8, l.size()))) {
                System.out.println("    " + o);
            }
        }
    }
}
