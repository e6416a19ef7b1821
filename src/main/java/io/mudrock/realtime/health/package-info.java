/**
 * MicroProfile Health checks behind {@code /health/live}, {@code /health/ready} and
 * {@code /health/started}. Readiness says why it is down (management database unreachable,
 * migrations not applied) so an operator reads the cause, not just a status; tenants' replication
 * streams and the cluster's Redis are reported in its data but never make it DOWN, since one
 * tenant's database, or the bus between nodes, must not take the server out of service for all.
 */
package io.mudrock.realtime.health;
