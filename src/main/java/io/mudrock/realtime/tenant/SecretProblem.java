package io.mudrock.realtime.tenant;

/**
 * A stored secret that is not what it should be, found while reading a tenant: which tenant, which
 * field, whether the value is still used, and a message that says how to fix it.
 *
 * @param tenantExternalId the tenant
 * @param field            {@code jwt_secret}, or {@code extensions.postgres_cdc_rls.<key>}
 * @param outcome          what the cipher made of the stored value
 * @param message          one sentence for logs and the health report, including the fix
 */
public record SecretProblem(String tenantExternalId, String field, SecretCipher.Outcome outcome, String message) {

    /** Whether the stored value is still used (literally) rather than refused. */
    public boolean valueUsed() {
        return outcome != SecretCipher.Outcome.UNDECRYPTABLE_GCM;
    }

    /** Builds the problem for a field whose decryption was not clean. */
    static SecretProblem of(String tenant, String field, SecretCipher.Outcome outcome) {
        boolean isJwtSecret = "jwt_secret".equals(field);
        String what = isJwtSecret
                ? "jwt_secret of tenant '" + tenant + "'"
                : field.substring(field.lastIndexOf('.') + 1) + " of the postgres_cdc_rls extension of tenant '"
                        + tenant + "'";
        String fix = isJwtSecret
                ? "re-save it through PUT /api/tenants/" + tenant + " with the plaintext secret"
                : "re-save the tenant's extensions through PUT /api/tenants/" + tenant + " with plaintext settings";
        String message = switch (outcome) {
            case NOT_ENCRYPTED -> what + " is not encrypted with DB_ENC_KEY (it looks like plaintext); it is used as"
                    + " it is for now; " + fix;
            case UNDECRYPTABLE_LEGACY -> what + " cannot be decrypted with DB_ENC_KEY: it is either plaintext that"
                    + " looks like Base64 or was encrypted with another DB_ENC_KEY; it is used as the literal value"
                    + " for now; " + fix;
            case UNDECRYPTABLE_GCM -> what + " is a g1: (AES-256-GCM) value that cannot be decrypted with"
                    + " DB_ENC_KEY_GCM (key missing or different, or the value is damaged); it is not used; set the"
                    + " DB_ENC_KEY_GCM it was written with, or " + fix;
            case DECRYPTED_LEGACY, DECRYPTED_GCM -> throw new IllegalArgumentException("not a problem: " + outcome);
        };
        return new SecretProblem(tenant, field, outcome, message);
    }
}
