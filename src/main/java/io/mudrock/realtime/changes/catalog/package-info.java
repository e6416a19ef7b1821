/**
 * {@link io.mudrock.realtime.changes.catalog.JdbcCatalog}: the catalog reads behind the core's small
 * lookup interfaces (types, primary keys, filter values cast by PostgreSQL itself), on a JDBC
 * connection the caller owns. The only place in {@code changes} that talks to a database.
 */
package io.mudrock.realtime.changes.catalog;
