/**
 * The start-up sequence: validate the configuration, bring up the management database, apply
 * the Liquibase changelogs, seed the default tenant, warm the hot paths up in-process so the first
 * clients do not meet cold code ({@code WARMUP_SECONDS}), and print where clients connect. Its
 * progress is what the health checks report.
 */
package io.mudrock.realtime.startup;
