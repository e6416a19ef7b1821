package io.mudrock.realtime.database;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.mudrock.realtime.config.RealtimeConfig;

/** Builds the connection pools the server uses, with settings chosen for this workload. */
public final class ConnectionPools {

    private ConnectionPools() {
    }

    /**
     * A small pool on the given database. It does not fail when the database is down at start:
     * readiness reports that instead, and connections are made when it comes back.
     *
     * @param name     pool name shown in PostgreSQL's {@code application_name}
     * @param settings where to connect
     * @param size     maximum connections
     */
    public static HikariDataSource open(String name, RealtimeConfig.DatabaseSettings settings, int size) {
        HikariConfig config = new HikariConfig();
        config.setPoolName(name);
        config.setJdbcUrl(settings.jdbcUrl());
        config.setUsername(settings.user());
        config.setPassword(settings.password());
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(0);
        config.setInitializationFailTimeout(-1);
        config.setConnectionTimeout(5_000);
        config.setValidationTimeout(2_000);
        config.addDataSourceProperty("ApplicationName", name);
        config.addDataSourceProperty("connectTimeout", "5");
        config.addDataSourceProperty("socketTimeout", "30");
        config.addDataSourceProperty("tcpKeepAlive", "true");
        settings.afterConnectQuery().ifPresent(config::setConnectionInitSql);
        return new HikariDataSource(config);
    }
}
