/**
 * The management database: the embedded PostgreSQL of the default run, the connection pool, and
 * the Liquibase runner that applies the top-level {@code liquibase/} changelogs. Everything the
 * server keeps about tenants lives in the {@code _realtime} schema reached from here.
 */
package io.mudrock.realtime.database;
