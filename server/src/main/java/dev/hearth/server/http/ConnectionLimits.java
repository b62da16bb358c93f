package dev.hearth.server.http;

import java.time.Duration;

/**
 * How long a client may take and how many connections it may hold, so that slow or idle clients cannot pin the
 * server's sockets.
 *
 * @param headerTimeout from the first byte of a request to the end of its headers
 * @param bodyTimeout from the start of reading a request body to its last byte
 * @param idleTimeout a kept-alive connection with no request in flight is closed after this long
 * @param maxConnections open client connections at most; more wait in the accept backlog
 */
public record ConnectionLimits(Duration headerTimeout, Duration bodyTimeout, Duration idleTimeout,
        int maxConnections) {
    public static final ConnectionLimits DEFAULTS = new ConnectionLimits(Duration.ofSeconds(10),
            Duration.ofSeconds(60), Duration.ofSeconds(60), 1024);

    public ConnectionLimits {
        positive("header timeout", headerTimeout);
        positive("body timeout", bodyTimeout);
        positive("idle timeout", idleTimeout);
        if (maxConnections < 1) {
            throw new IllegalArgumentException("max connections must be at least 1, got " + maxConnections);
        }
    }

    private static void positive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }

    public ConnectionLimits withHeaderTimeout(Duration value) {
        return new ConnectionLimits(value, bodyTimeout, idleTimeout, maxConnections);
    }

    public ConnectionLimits withBodyTimeout(Duration value) {
        return new ConnectionLimits(headerTimeout, value, idleTimeout, maxConnections);
    }

    public ConnectionLimits withIdleTimeout(Duration value) {
        return new ConnectionLimits(headerTimeout, bodyTimeout, value, maxConnections);
    }

    public ConnectionLimits withMaxConnections(int value) {
        return new ConnectionLimits(headerTimeout, bodyTimeout, idleTimeout, value);
    }
}
