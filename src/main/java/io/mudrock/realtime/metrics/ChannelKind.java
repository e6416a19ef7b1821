package io.mudrock.realtime.metrics;

import java.util.Locale;

/** What a joined channel is, for {@code realtime_joined_channels{kind}}: each channel counts under one kind. */
public enum ChannelKind {
    /** A public channel without postgres_changes bindings. */
    PUBLIC,
    /** A private channel without postgres_changes bindings. */
    PRIVATE,
    /** A channel with postgres_changes bindings, public or private. */
    POSTGRES_CHANGES;

    /**
     * The kind of a channel.
     *
     * @param privateChannel joined with {@code config.private}
     * @param postgresChanges it has at least one postgres_changes binding
     * @return its kind
     */
    public static ChannelKind of(boolean privateChannel, boolean postgresChanges) {
        return postgresChanges ? POSTGRES_CHANGES : privateChannel ? PRIVATE : PUBLIC;
    }

    /** @return the label value: {@code public}, {@code private} or {@code postgres_changes} */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
