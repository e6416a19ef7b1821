package io.mudrock.realtime.tenant;

import java.util.List;

/**
 * A tenant as read from the store, with the problems found in its stored secrets (empty when every
 * secret was properly encrypted).
 *
 * @param tenant   the tenant, secrets decrypted
 * @param problems what is wrong with the stored secrets, each with its fix
 */
public record StoredTenant(Tenant tenant, List<SecretProblem> problems) {

    public StoredTenant {
        problems = List.copyOf(problems);
    }
}
