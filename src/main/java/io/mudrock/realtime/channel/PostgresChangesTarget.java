package io.mudrock.realtime.channel;

import io.mudrock.realtime.protocol.FanOutFrames;

/**
 * A joined channel with {@code postgres_changes} bindings, as the change stream sees it: where
 * to deliver matching changes and how to report subscription status. Thread-safe; every method
 * returns at once (frames are queued, never written inline).
 */
public interface PostgresChangesTarget {

    /** @return the tenant's external id */
    String tenantId();

    /** @return the channel topic, {@code realtime:<name>} */
    String topic();

    /** @return the channel name without {@code realtime:}, as RLS and {@code system} messages use it */
    String subTopic();

    /** @return false once the channel has left or its socket closed; deliveries are then dropped */
    boolean isOpen();

    /**
     * Delivers one change to this channel: {@code [null,null,topic,"postgres_changes",{"ids":ids,"data":dataJson}]}.
     * Returns at once, whatever the client: the change is charged to the channel's socket, which
     * holds it in its own queue while it is over its budget or reads slowly (never dropped
     * silently: a socket that falls too far behind is told and closed).
     *
     * @param ids the ids of this channel's bindings that matched
     * @param dataJson the {@code data} object, serialized once per change by the caller
     * @return true if queued, false if skipped (the channel is closed, or its join reply is not queued yet)
     */
    boolean deliver(long[] ids, String dataJson);

    /**
     * Delivers frames already encoded for this channel's topic (for example shared by every
     * channel of one topic whose matching ids are the same), like {@link #deliver(long[], String)}.
     *
     * @param frames frames from {@code FrameEncoder.postgresChanges(topic(), ids, dataJson)}
     * @return true if queued, false if skipped
     */
    boolean deliver(FanOutFrames frames);

    /**
     * Pushes a {@code system} message with extension {@code postgres_changes}, e.g. status
     * {@code ok} and {@code Subscribed to PostgreSQL}, or an error that leaves the channel open.
     * Messages pushed before the join reply is queued are held and follow it.
     *
     * @param ok true for status {@code ok}, false for {@code error}
     * @param message the message
     */
    void postgresChangesStatus(boolean ok, String message);
}
