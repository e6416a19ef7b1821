package io.mudrock.realtime.changes.values;

import java.util.List;
import java.util.Objects;

/**
 * Reads type definitions that are not built in (enums, domains, composites, user arrays, extension
 * types) from the database catalog. Kept as an interface so decoding stays pure; see
 * {@code catalog.JdbcCatalog} for the JDBC implementation.
 */
@FunctionalInterface
public interface TypeLookup {

    /**
     * Describes type {@code oid} from {@code pg_type}.
     *
     * @return the definition, or null if no such type exists (any more)
     * @throws RuntimeException if the catalog cannot be read; the caller decides whether to retry
     */
    Definition lookup(int oid);

    /**
     * A {@code pg_type} row with references kept as oids.
     *
     * @param oid         type oid
     * @param namespace   schema name
     * @param name        typname
     * @param typtype     typtype
     * @param category    typcategory
     * @param elementOid  element type of a true array, else 0
     * @param baseTypeOid base type of a domain, else 0
     * @param delimiter   typdelim
     * @param enumLabels  labels in enumsortorder (empty unless an enum)
     * @param fields      attributes in attnum order (empty unless a composite)
     */
    record Definition(int oid, String namespace, String name, char typtype, char category, int elementOid,
                      int baseTypeOid, char delimiter, List<String> enumLabels, List<FieldDefinition> fields) {
        public Definition {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(name, "name");
            enumLabels = List.copyOf(enumLabels);
            fields = List.copyOf(fields);
        }
    }

    /**
     * One attribute of a composite type.
     *
     * @param name    attribute name
     * @param typeOid attribute type oid
     */
    record FieldDefinition(String name, int typeOid) {
        public FieldDefinition {
            Objects.requireNonNull(name, "name");
        }
    }
}
