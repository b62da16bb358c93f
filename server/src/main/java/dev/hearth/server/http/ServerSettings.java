package dev.hearth.server.http;

/**
 * How the HTTP server listens.
 *
 * @param port 0 picks a free port
 * @param apiKey when not null, every endpoint but {@code /health} needs {@code Authorization: Bearer <apiKey>}
 * @param maxBodyBytes larger request bodies get 413
 * @param connections timeouts and the cap on open connections
 * @param metricsPublic {@code /metrics} for any caller even when keys exist (else the admin only)
 * @param openPull any caller may make the server download a model (else the admin only, when keys exist)
 */
public record ServerSettings(String host, int port, String apiKey, long maxBodyBytes, ConnectionLimits connections,
        boolean metricsPublic, boolean openPull) {
    public static final int DEFAULT_PORT = 8080;
    public static final long DEFAULT_MAX_BODY_BYTES = 8L * 1024 * 1024;

    public ServerSettings {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
        }
        if (maxBodyBytes < 1) {
            throw new IllegalArgumentException("maxBodyBytes must be positive, got " + maxBodyBytes);
        }
        if (apiKey != null && apiKey.isBlank()) {
            apiKey = null;
        }
        if (connections == null) {
            connections = ConnectionLimits.DEFAULTS;
        }
    }

    public ServerSettings(String host, int port, String apiKey, long maxBodyBytes) {
        this(host, port, apiKey, maxBodyBytes, ConnectionLimits.DEFAULTS, false, false);
    }

    public ServerSettings withConnections(ConnectionLimits value) {
        return new ServerSettings(host, port, apiKey, maxBodyBytes, value, metricsPublic, openPull);
    }

    public ServerSettings withAccess(boolean metricsPublic, boolean openPull) {
        return new ServerSettings(host, port, apiKey, maxBodyBytes, connections, metricsPublic, openPull);
    }

    /** Loopback on a free port, no key: for tests. */
    public static ServerSettings ephemeral() {
        return new ServerSettings("127.0.0.1", 0, null, DEFAULT_MAX_BODY_BYTES);
    }
}
