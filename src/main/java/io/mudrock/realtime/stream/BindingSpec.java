package io.mudrock.realtime.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mudrock.realtime.changes.ChangeType;
import io.mudrock.realtime.changes.filter.ElixirInspect;
import io.mudrock.realtime.changes.filter.FilterCondition;
import io.mudrock.realtime.changes.filter.FilterParseException;
import io.mudrock.realtime.changes.filter.FilterParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What one {@code postgres_changes} binding asks for, read from the client's object with
 * upstream's rules ({@code Subscriptions.parse_subscription_params}): the accepted key
 * combinations, {@code event} defaulting to {@code *}, {@code schema} to {@code public}, a missing
 * {@code table} meaning every table, and upstream's error texts for everything else.
 *
 * @param event      {@code *}, {@code INSERT}, {@code UPDATE} or {@code DELETE}
 * @param schema     a schema name or {@code *}
 * @param table      a table name or {@code *}
 * @param conditions the parsed filter, empty when none
 * @param select     the {@code select} column list, or null for every column
 */
record BindingSpec(String event, String schema, String table, List<FilterCondition> conditions, List<String> select) {

    /** Upstream's wildcard for schema and table. */
    static final String ANY = "*";

    private static final String NO_PARAMS =
            "No subscription params provided. Please provide at least a `schema` or `table` to subscribe to: ";

    BindingSpec {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(table, "table");
        conditions = List.copyOf(conditions);
        select = select == null ? null : List.copyOf(select);
    }

    /** A binding whose parameters cannot be used; the message is upstream's text for the client. */
    static final class InvalidBinding extends Exception {
        InvalidBinding(String message) {
            super(message);
        }
    }

    /**
     * Reads a binding object as the client sent it.
     *
     * @throws InvalidBinding with upstream's message: malformed filter or select, missing schema
     *                        and table, or a select list on a wildcard binding
     */
    static BindingSpec parse(ObjectNode params) throws InvalidBinding {
        String event = event(params.get("event"));
        List<String> select = select(params.get("select"));
        JsonNode schema = params.get("schema");
        JsonNode table = params.get("table");
        JsonNode filter = params.get("filter");
        BindingSpec spec;
        if (isString(schema) && isString(table) && isString(filter)) {
            try {
                spec = new BindingSpec(event, schema.textValue(), table.textValue(), FilterParser.parse(filter.textValue()),
                        select);
            } catch (FilterParseException e) {
                throw new InvalidBinding(e.getMessage());
            }
        } else if (isString(schema) && isString(table) && !params.has("filter")) {
            spec = new BindingSpec(event, schema.textValue(), table.textValue(), List.of(), select);
        } else if (isString(schema) && !params.has("table") && !params.has("filter")) {
            spec = new BindingSpec(event, schema.textValue(), ANY, List.of(), select);
        } else if (isString(table) && !params.has("schema") && !params.has("filter")) {
            spec = new BindingSpec(event, "public", table.textValue(), List.of(), select);
        } else if (params.has("user_token") || params.has("auth_token")) {
            throw new InvalidBinding(NO_PARAMS + "<redacted>");
        } else {
            throw new InvalidBinding(NO_PARAMS + ElixirInspect.json(params));
        }
        if (spec.select != null && spec.wildcard()) {
            throw new InvalidBinding("Column selection is not supported for wildcard subscriptions. "
                    + "Provide an explicit schema and table name.");
        }
        return spec;
    }

    private static boolean isString(JsonNode node) {
        return node != null && node.isTextual();
    }

    private static String event(JsonNode node) {
        if (!isString(node)) {
            return ANY;
        }
        String upper = node.textValue().toUpperCase(Locale.ROOT);
        return switch (upper) {
            case "INSERT", "UPDATE", "DELETE" -> upper;
            default -> ANY;
        };
    }

    private static List<String> select(JsonNode node) throws InvalidBinding {
        if (node == null) {
            return null;
        }
        if (node.isTextual()) {
            throw new InvalidBinding("Error parsing `select` params: expected a list of column name strings, "
                    + "e.g. select: [\"col1\", \"col2\"]");
        }
        if (!node.isArray()) {
            return null;
        }
        List<String> columns = new ArrayList<>();
        node.forEach(item -> {
            if (item.isTextual()) {
                columns.add(item.textValue());
            }
        });
        return columns.isEmpty() ? null : columns;
    }

    /** Whether the schema or the table is {@code *}. */
    boolean wildcard() {
        return ANY.equals(schema) || ANY.equals(table);
    }

    /** Whether a change of this type reaches the binding. */
    boolean accepts(ChangeType type) {
        return event.length() == 1 || event.equals(type.name());
    }

    /**
     * The parameters as upstream lists them in its messages:
     * {@code event: *, schema: public, table: todos, filters: [], select: nil}.
     */
    String describe() {
        return "event: " + event + ", schema: " + schema + ", table: " + table + ", filters: "
                + ElixirInspect.filters(conditions) + ", select: " + ElixirInspect.strings(select);
    }

    /** Upstream's message for a binding that matches no table of the publication. */
    String notEnabled() {
        return "Unable to subscribe to changes with given parameters. Please check Realtime is enabled for the "
                + "given connect parameters: [" + describe() + "]";
    }

    /** Upstream's message for a binding the database refused (bad filter value, unknown role...). */
    String failed(String databaseMessage) {
        return "Unable to subscribe to changes with given parameters. An exception happened so please check your "
                + "connect parameters: [" + describe() + "]. Exception: " + databaseMessage;
    }
}
