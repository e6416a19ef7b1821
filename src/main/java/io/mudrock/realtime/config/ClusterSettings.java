package io.mudrock.realtime.config;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * Where the Redis lives that several replicas share ({@code REDIS_URL}). Its password may sit in
 * the URL, so {@link #toString} and error messages show it redacted.
 *
 * @param redisUrl the URL as configured: {@code redis://[user:password@]host[:port][/db]} or
 *                 {@code rediss://...} for TLS
 */
public record ClusterSettings(URI redisUrl) {

    /**
     * Validates a {@code REDIS_URL}.
     *
     * @param url the configured value
     * @return the settings
     * @throws IllegalArgumentException with what is wrong, in words for the configuration error
     */
    public static ClusterSettings parse(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("must be a URL such as redis://host:6379/0");
        }
        if (!"redis".equals(uri.getScheme()) && !"rediss".equals(uri.getScheme())) {
            throw new IllegalArgumentException("must start with redis:// or rediss:// (TLS)");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("must name a host, such as redis://host:6379/0");
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        if (!path.isEmpty() && !path.equals("/") && !path.substring(1).chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("may end with a database number only, such as /0");
        }
        return new ClusterSettings(uri);
    }

    /**
     * A URL with its password (user info) replaced by {@code ***}, for logs and errors.
     *
     * @param url a URL as configured
     * @return the same URL without its secret
     */
    public static String redact(String url) {
        return url.replaceFirst("^([a-z]+://)[^@/]*@", "$1***@");
    }

    /** @return the URL with its password redacted */
    @Override
    public String toString() {
        return "ClusterSettings[redisUrl=" + redact(redisUrl.toString()) + "]";
    }
}
