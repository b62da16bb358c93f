package dev.hearth.server.config;

import java.time.Duration;

/**
 * The config file's {@code server:} section: how the HTTP server treats connections and callers. Every field is
 * null when the file does not set it (the command line's value, or the default, applies).
 *
 * @param headerTimeout {@code header_timeout}: first byte of a request to the end of its headers
 * @param bodyTimeout {@code body_timeout}: the whole request body
 * @param idleTimeout {@code idle_timeout}: a kept-alive connection with no request
 * @param maxConnections {@code max_connections}: open client connections at most
 * @param shutdownGrace {@code shutdown_grace}: how long requests in flight may finish after SIGTERM
 * @param metricsPublic {@code metrics_public}: {@code /metrics} without the admin key
 * @param openPull {@code open_pull}: any caller may make the server download a model
 */
public record ServerSection(Duration headerTimeout, Duration bodyTimeout, Duration idleTimeout, Integer maxConnections,
        Duration shutdownGrace, Boolean metricsPublic, Boolean openPull) {
    public static final ServerSection EMPTY = new ServerSection(null, null, null, null, null, null, null);
}
