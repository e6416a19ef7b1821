package io.mudrock.realtime.tenant;

import java.util.List;
import java.util.Map;

/**
 * Tenant changes that cannot be stored, with messages per field in upstream's wording
 * ({@code "db_host can't be blank"}), so the admin API can answer 422 {@code {"errors": {...}}}.
 */
public final class InvalidTenantException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Map<String, List<String>> errors;

    /** @param errors messages per field */
    public InvalidTenantException(Map<String, List<String>> errors) {
        super("invalid tenant: " + errors);
        this.errors = Map.copyOf(errors);
    }

    /** Messages per field. */
    public Map<String, List<String>> errors() {
        return errors;
    }
}
