/**
 * MicroProfile Health checks behind {@code /health/live}, {@code /health/ready} and
 * {@code /health/started}. Readiness says why it is down (management database unreachable,
 * migrations not applied) so an operator reads the cause, not just a status; tenants' replication
 * streams are reported in its data but never make it DOWN, since one tenant's database must not
 * take the server out of service for all of them.
 */
package io.mudrock.realtime.health;
