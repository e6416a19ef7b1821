/**
 * MicroProfile Health checks behind {@code /health/live}, {@code /health/ready} and
 * {@code /health/started}. Readiness says why it is down (database unreachable, migrations not
 * applied, replication streams lost) so an operator reads the cause, not just a status.
 */
package io.mudrock.realtime.health;
