/**
 * The start-up sequence: validate the configuration, bring up the management database, apply
 * the Liquibase changelogs, seed the default tenant, and print where clients connect. Its
 * progress is what the health checks report.
 */
package io.mudrock.realtime.startup;
