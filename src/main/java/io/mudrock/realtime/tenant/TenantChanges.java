package io.mudrock.realtime.tenant;

import java.util.List;
import java.util.Objects;

/**
 * What to create or change in a tenant, in plaintext (the store encrypts). A null field means "keep the
 * current value" on update and "use the upstream default" on create; a non-null {@code extensions} list
 * replaces all extensions, as upstream does. Build one with {@link #builder(String)}.
 *
 * @param externalId                       the tenant to create or update
 * @param name                             display name (defaults to the external id on create)
 * @param jwtSecret                        plaintext HS* secret
 * @param jwtJwks                          JWKS JSON object text
 * @param maxConcurrentUsers               limit
 * @param maxEventsPerSecond               limit
 * @param maxBytesPerSecond                limit
 * @param maxChannelsPerClient             limit
 * @param maxJoinsPerSecond                limit
 * @param maxPresenceEventsPerSecond       limit
 * @param maxPayloadSizeInKb               limit
 * @param maxClientPresenceEventsPerWindow limit
 * @param clientPresenceWindowMs           limit window
 * @param presenceEnabled                  flag
 * @param privateOnly                      flag
 * @param suspend                          flag
 * @param postgresCdcDefault               CDC driver name
 * @param migrationsRan                    tenant migrations applied
 * @param broadcastAdapter                 upstream cluster setting
 * @param featureFlags                     JSON object text
 * @param extensions                       replacement extensions, or null to keep them
 */
public record TenantChanges(
        String externalId,
        String name,
        String jwtSecret,
        String jwtJwks,
        Integer maxConcurrentUsers,
        Integer maxEventsPerSecond,
        Integer maxBytesPerSecond,
        Integer maxChannelsPerClient,
        Integer maxJoinsPerSecond,
        Integer maxPresenceEventsPerSecond,
        Integer maxPayloadSizeInKb,
        Integer maxClientPresenceEventsPerWindow,
        Integer clientPresenceWindowMs,
        Boolean presenceEnabled,
        Boolean privateOnly,
        Boolean suspend,
        String postgresCdcDefault,
        Integer migrationsRan,
        String broadcastAdapter,
        String featureFlags,
        List<ExtensionChange> extensions) {

    public TenantChanges {
        extensions = extensions == null ? null : List.copyOf(extensions);
    }

    /** Starts changes for the tenant with this external id. */
    public static Builder builder(String externalId) {
        return new Builder(externalId);
    }

    /** Never prints the secret. */
    @Override
    public String toString() {
        return "TenantChanges[externalId=" + externalId + ", name=" + name
                + ", jwtSecret=" + (jwtSecret == null ? "unchanged" : "***")
                + ", jwtJwks=" + (jwtJwks == null ? "unchanged" : "***") + ", extensions=" + extensions + ", ...]";
    }

    /** Fluent builder; every setter is optional. */
    public static final class Builder {
        private final String externalId;
        private String name;
        private String jwtSecret;
        private String jwtJwks;
        private Integer maxConcurrentUsers;
        private Integer maxEventsPerSecond;
        private Integer maxBytesPerSecond;
        private Integer maxChannelsPerClient;
        private Integer maxJoinsPerSecond;
        private Integer maxPresenceEventsPerSecond;
        private Integer maxPayloadSizeInKb;
        private Integer maxClientPresenceEventsPerWindow;
        private Integer clientPresenceWindowMs;
        private Boolean presenceEnabled;
        private Boolean privateOnly;
        private Boolean suspend;
        private String postgresCdcDefault;
        private Integer migrationsRan;
        private String broadcastAdapter;
        private String featureFlags;
        private List<ExtensionChange> extensions;

        private Builder(String externalId) {
            this.externalId = Objects.requireNonNull(externalId, "externalId");
        }

        /** @see TenantChanges#name() */
        public Builder name(String value) { name = value; return this; }
        /** @see TenantChanges#jwtSecret() */
        public Builder jwtSecret(String value) { jwtSecret = value; return this; }
        /** @see TenantChanges#jwtJwks() */
        public Builder jwtJwks(String value) { jwtJwks = value; return this; }
        /** @see TenantChanges#maxConcurrentUsers() */
        public Builder maxConcurrentUsers(Integer value) { maxConcurrentUsers = value; return this; }
        /** @see TenantChanges#maxEventsPerSecond() */
        public Builder maxEventsPerSecond(Integer value) { maxEventsPerSecond = value; return this; }
        /** @see TenantChanges#maxBytesPerSecond() */
        public Builder maxBytesPerSecond(Integer value) { maxBytesPerSecond = value; return this; }
        /** @see TenantChanges#maxChannelsPerClient() */
        public Builder maxChannelsPerClient(Integer value) { maxChannelsPerClient = value; return this; }
        /** @see TenantChanges#maxJoinsPerSecond() */
        public Builder maxJoinsPerSecond(Integer value) { maxJoinsPerSecond = value; return this; }
        /** @see TenantChanges#maxPresenceEventsPerSecond() */
        public Builder maxPresenceEventsPerSecond(Integer value) { maxPresenceEventsPerSecond = value; return this; }
        /** @see TenantChanges#maxPayloadSizeInKb() */
        public Builder maxPayloadSizeInKb(Integer value) { maxPayloadSizeInKb = value; return this; }
        /** @see TenantChanges#maxClientPresenceEventsPerWindow() */
        public Builder maxClientPresenceEventsPerWindow(Integer value) {
            maxClientPresenceEventsPerWindow = value;
            return this;
        }
        /** @see TenantChanges#clientPresenceWindowMs() */
        public Builder clientPresenceWindowMs(Integer value) { clientPresenceWindowMs = value; return this; }
        /** @see TenantChanges#presenceEnabled() */
        public Builder presenceEnabled(Boolean value) { presenceEnabled = value; return this; }
        /** @see TenantChanges#privateOnly() */
        public Builder privateOnly(Boolean value) { privateOnly = value; return this; }
        /** @see TenantChanges#suspend() */
        public Builder suspend(Boolean value) { suspend = value; return this; }
        /** @see TenantChanges#postgresCdcDefault() */
        public Builder postgresCdcDefault(String value) { postgresCdcDefault = value; return this; }
        /** @see TenantChanges#migrationsRan() */
        public Builder migrationsRan(Integer value) { migrationsRan = value; return this; }
        /** @see TenantChanges#broadcastAdapter() */
        public Builder broadcastAdapter(String value) { broadcastAdapter = value; return this; }
        /** @see TenantChanges#featureFlags() */
        public Builder featureFlags(String value) { featureFlags = value; return this; }
        /** @see TenantChanges#extensions() */
        public Builder extensions(List<ExtensionChange> value) { extensions = value; return this; }

        /** The changes. */
        public TenantChanges build() {
            return new TenantChanges(externalId, name, jwtSecret, jwtJwks, maxConcurrentUsers, maxEventsPerSecond,
                    maxBytesPerSecond, maxChannelsPerClient, maxJoinsPerSecond, maxPresenceEventsPerSecond,
                    maxPayloadSizeInKb, maxClientPresenceEventsPerWindow, clientPresenceWindowMs, presenceEnabled,
                    privateOnly, suspend, postgresCdcDefault, migrationsRan, broadcastAdapter, featureFlags,
                    extensions);
        }
    }
}
