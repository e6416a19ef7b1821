/**
 * Several replicas sharing one Redis ({@code REDIS_URL}): the connection to it and what travels
 * over it between nodes. Nothing here runs when {@code REDIS_URL} is unset; the channel and
 * stream layers reach it only through their own seams, so one process has no Redis on its paths.
 */
package io.mudrock.realtime.cluster;
