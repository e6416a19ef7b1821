package io.mudrock.realtime.tenant;

import java.util.Optional;

/**
 * The two kinds of opaque API key new Supabase projects hand out, each with the Postgres role its
 * clients act as (RLS, private channels, postgres_changes).
 */
public enum ApiKeyKind {
    /** {@code sb_publishable_...}: the public key of browsers and apps, role {@code anon}. */
    PUBLISHABLE("publishable", "sb_publishable_", "anon"),
    /** {@code sb_secret_...}: a server-side key, role {@code service_role}. */
    SECRET("secret", "sb_secret_", "service_role");

    /** What every opaque key starts with; a token with it is never parsed as a JWT. */
    public static final String KEY_PREFIX = "sb_";

    private final String type;
    private final String prefix;
    private final String role;

    ApiKeyKind(String type, String prefix, String role) {
        this.type = type;
        this.prefix = prefix;
        this.role = role;
    }

    /** The {@code type} of the admin API and of the {@code _realtime.api_keys} row. */
    public String type() {
        return type;
    }

    /** What a key of this kind starts with, e.g. {@code sb_publishable_}. */
    public String prefix() {
        return prefix;
    }

    /** The {@code role} claim its clients get. */
    public String role() {
        return role;
    }

    /** The kind named by an admin API or stored {@code type}. */
    public static Optional<ApiKeyKind> ofType(String type) {
        for (ApiKeyKind kind : values()) {
            if (kind.type.equals(type)) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }

    /** The kind a key's prefix says, or empty for any other text (a JWT, {@code sb_temp_...}). */
    public static Optional<ApiKeyKind> ofKey(String key) {
        for (ApiKeyKind kind : values()) {
            if (key.startsWith(kind.prefix)) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }
}
