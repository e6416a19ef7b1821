package io.mudrock.realtime.stream;

import java.util.regex.Pattern;

/** Identifier quoting for the SQL this package writes and shows (the fixes it suggests). */
final class Sql {

    private static final Pattern PLAIN = Pattern.compile("[a-z_][a-z0-9_$]*");

    private Sql() {
    }

    /** The identifier as written in SQL: bare when that reads back the same, else double-quoted. */
    static String ident(String name) {
        return PLAIN.matcher(name).matches() ? name : quoted(name);
    }

    /** Always double-quoted, for SQL this server runs. */
    static String quoted(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /** {@code schema.table} for messages. */
    static String table(String schema, String table) {
        return ident(schema) + "." + ident(table);
    }

    /** The statement that adds a table to a publication. */
    static String addToPublication(String publication, String schema, String table) {
        return "ALTER PUBLICATION " + ident(publication) + " ADD TABLE " + table(schema, table) + ";";
    }
}
