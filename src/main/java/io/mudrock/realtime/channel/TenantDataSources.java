package io.mudrock.realtime.channel;

import java.sql.SQLException;
import javax.sql.DataSource;

/** The pooled connection to each tenant's database, for private-channel checks. */
@FunctionalInterface
public interface TenantDataSources {

    /**
     * @param tenantId the tenant's external id
     * @return its database pool
     * @throws SQLException if the tenant has no usable database settings
     */
    DataSource dataSource(String tenantId) throws SQLException;
}
