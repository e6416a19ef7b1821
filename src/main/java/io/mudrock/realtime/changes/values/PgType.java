package io.mudrock.realtime.changes.values;

import java.util.List;
import java.util.Objects;

/**
 * A PostgreSQL data type as far as change streaming needs it, with referenced types already
 * resolved.
 *
 * @param oid        type oid
 * @param namespace  schema of the type
 * @param name       {@code pg_type.typname}: what {@code columns[].type} of a change shows
 *                   (e.g. {@code int4}, {@code _text}, {@code timestamptz})
 * @param typtype    {@code b} base, {@code c} composite, {@code d} domain, {@code e} enum,
 *                   {@code r} range, {@code m} multirange, {@code p} pseudo
 * @param category   {@code pg_type.typcategory} (e.g. {@code N} numeric, {@code S} string, {@code A} array)
 * @param element    element type when this is a true array type, else null
 * @param baseType   underlying type when this is a domain, else null
 * @param delimiter  {@code typdelim}: separates elements in the text form of arrays of this type
 * @param enumLabels enum labels in sort order (empty unless an enum)
 * @param fields     attributes in order (empty unless a composite)
 */
public record PgType(int oid, String namespace, String name, char typtype, char category, PgType element,
                     PgType baseType, char delimiter, List<String> enumLabels, List<Field> fields) {

    /**
     * One attribute of a composite type.
     *
     * @param name attribute name
     * @param type attribute type
     */
    public record Field(String name, PgType type) {
        public Field {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(type, "type");
        }
    }

    public PgType {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
        enumLabels = List.copyOf(enumLabels);
        fields = List.copyOf(fields);
        if (typtype == 'd' && baseType == null) {
            throw new IllegalArgumentException("domain " + name + " needs a base type");
        }
    }

    /** Whether this is a true array type (element type known). */
    public boolean isArray() {
        return element != null;
    }

    /** Whether this is an enum type. */
    public boolean isEnum() {
        return typtype == 'e';
    }

    /** Whether this is a composite (row) type. */
    public boolean isComposite() {
        return typtype == 'c';
    }

    /**
     * The type values of this type behave as: the base type for a domain (through nested domains),
     * otherwise this type itself. PostgreSQL converts domain values to JSON and compares them as
     * their base type, and so do we.
     */
    public PgType effective() {
        PgType type = this;
        while (type.baseType != null) {
            type = type.baseType;
        }
        return type;
    }

    @Override
    public String toString() {
        return "PgType[" + oid + " " + (namespace.isEmpty() ? "" : namespace + ".") + name + "]";
    }
}
