package io.mudrock.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One run's result document (written as JSON under bench/results/) and its printed table. */
public final class Results {

    private final String workload;
    private final ZonedDateTime started = ZonedDateTime.now(ZoneOffset.UTC);
    private final Map<String, Object> doc = new LinkedHashMap<>();
    private final List<String[]> table = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    public Results(String workload, String command) {
        this.workload = workload;
        doc.put("workload", workload);
        doc.put("started_utc", started.format(DateTimeFormatter.ISO_INSTANT));
        doc.put("command", command);
        doc.put("machine", Machine.describe());
    }

    public Map<String, Object> doc() {
        return doc;
    }

    public void put(String key, Object value) {
        doc.put(key, value);
    }

    public void row(String... cells) {
        table.add(cells);
    }

    public void note(String text) {
        notes.add(text);
        System.out.println("note: " + text);
    }

    public String table() {
        if (table.isEmpty()) {
            return "";
        }
        int cols = 0;
        for (String[] r : table) {
            cols = Math.max(cols, r.length);
        }
        int[] w = new int[cols];
        for (String[] r : table) {
            for (int i = 0; i < r.length; i++) {
                w[i] = Math.max(w[i], r[i] == null ? 4 : r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int ri = 0; ri < table.size(); ri++) {
            String[] r = table.get(ri);
            sb.append('|');
            for (int i = 0; i < cols; i++) {
                String c = i < r.length && r[i] != null ? r[i] : "";
                sb.append(' ').append(c).append(" ".repeat(w[i] - c.length())).append(" |");
            }
            sb.append('\n');
            if (ri == 0) {
                sb.append('|');
                for (int i = 0; i < cols; i++) {
                    sb.append("-".repeat(w[i] + 2)).append('|');
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    /** Prints the table and notes and writes the JSON; returns the file written. */
    public Path finish(Path resultsDir) throws IOException {
        doc.put("finished_utc", ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_INSTANT));
        doc.put("load_average_1m_at_end", Machine.loadAverage1());
        doc.put("table_markdown", table());
        doc.put("notes", notes);
        Files.createDirectories(resultsDir);
        String ts = started.format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path file = resultsDir.resolve(workload + "-" + ts + ".json");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), doc);
        System.out.println();
        System.out.println("== " + workload + " (" + doc.get("started_utc") + ", " + Machine.describe().get("cpu") + ", "
                + Machine.onlineCpus() + " cores)");
        System.out.print(table());
        for (String n : notes) {
            System.out.println("note: " + n);
        }
        System.out.println("result written to " + file);
        return file;
    }

    public static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        if (Math.abs(v) >= 100) {
            return String.format("%,.0f", v);
        }
        if (Math.abs(v) >= 10) {
            return String.format("%.1f", v);
        }
        return String.format("%.2f", v);
    }

    public static String ratio(double a, double b) {
        if (Double.isNaN(a) || Double.isNaN(b) || b == 0) {
            return "n/a";
        }
        return String.format("%.2fx", a / b);
    }
}
