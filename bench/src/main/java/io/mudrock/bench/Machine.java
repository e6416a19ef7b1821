package io.mudrock.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the machine is and what a process costs it, read from /proc. */
public final class Machine {

    /** Linux clock ticks per second for /proc/<pid>/stat times (USER_HZ, 100 on every x86 Linux). */
    public static final long CLK_TCK = clockTicks();

    private Machine() {
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            return Long.parseLong(out);
        } catch (Exception e) {
            return 100;
        }
    }

    public static int onlineCpus() {
        try {
            String s = Files.readString(Path.of("/sys/devices/system/cpu/online")).trim();
            int n = 0;
            for (String part : s.split(",")) {
                String[] r = part.split("-");
                n += r.length == 1 ? 1 : Integer.parseInt(r[1]) - Integer.parseInt(r[0]) + 1;
            }
            return n;
        } catch (Exception e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }

    /** user+system CPU seconds a process has used so far. */
    public static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String rest = stat.substring(stat.lastIndexOf(')') + 2);
            String[] f = rest.split(" ");
            // fields after "(comm) ": state is f[0] = field 3; utime = field 14, stime = field 15
            long utime = Long.parseLong(f[11]);
            long stime = Long.parseLong(f[12]);
            return (utime + stime) / (double) CLK_TCK;
        } catch (IOException e) {
            return Double.NaN;
        }
    }

    /** Resident set size in bytes. */
    public static long rssBytes(long pid) {
        return statusKb(pid, "VmRSS:") * 1024;
    }

    public static int threads(long pid) {
        return (int) statusKb(pid, "Threads:");
    }

    public static int openFiles(long pid) {
        String[] l = Path.of("/proc/" + pid + "/fd").toFile().list();
        return l == null ? -1 : l.length;
    }

    private static long statusKb(long pid, String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException e) {
            // gone
        }
        return -1;
    }

    public static double loadAverage1() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (Exception e) {
            return Double.NaN;
        }
    }

    public static Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    m.put("cpu", line.substring(line.indexOf(':') + 1).trim());
                    break;
                }
            }
            m.put("cores", onlineCpus());
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    m.put("memory_gib", Math.round(Long.parseLong(line.replaceAll("\\D", "")) / 1024.0 / 1024.0 * 10) / 10.0);
                }
            }
            m.put("kernel", Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim());
            m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
            m.put("open_files_limit", limitOpenFiles());
            m.put("load_average_1m_at_start", loadAverage1());
        } catch (IOException e) {
            m.put("error", e.toString());
        }
        return m;
    }

    private static String limitOpenFiles() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/self/limits"));
        for (String l : lines) {
            if (l.startsWith("Max open files")) {
                return l.substring("Max open files".length()).trim().replaceAll("\\s+", " ");
            }
        }
        return "?";
    }
}
