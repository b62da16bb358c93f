package dev.hearth.server.cli;

import dev.hearth.server.http.ConnectionLimits;
import dev.hearth.server.config.ServerSection;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * {@code hearth serve}'s options for connections, shutdown and access. Each may also be set in the config file's
 * {@code server:} section; the command line wins, then the file, then the default.
 */
final class ConnectionOptions {
    @Option(names = "--header-timeout", paramLabel = "DURATION",
            description = "Time from a request's first byte to the end of its headers (default 10s).")
    String headerTimeout;

    @Option(names = "--body-timeout", paramLabel = "DURATION",
            description = "Time for a whole request body to arrive (default 60s).")
    String bodyTimeout;

    @Option(names = "--idle-timeout", paramLabel = "DURATION",
            description = "A kept-alive connection with no request is closed after this (default 60s).")
    String idleTimeout;

    @Option(names = "--max-connections", paramLabel = "N",
            description = "Open client connections at most; more wait to be accepted (default 1024).")
    Integer maxConnections;

    @Option(names = "--shutdown-grace", paramLabel = "DURATION",
            description = "On SIGTERM/SIGINT, how long requests in flight may finish before they are ended with an "
                    + "error (default 30s).")
    String shutdownGrace;

    @Option(names = "--metrics-public",
            description = "Serve /metrics without the admin key even when keys exist (default: admin only).")
    Boolean metricsPublic;

    @Option(names = "--open-pull",
            description = "Let any caller make the server download a model (POST /api/pull, or a request naming a "
                    + "catalogue model not yet pulled); default: the admin only.")
    Boolean openPull;

    static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(30);

    ConnectionLimits limits(ServerSection file) {
        ConnectionLimits d = ConnectionLimits.DEFAULTS;
        return new ConnectionLimits(
                pick("--header-timeout", headerTimeout, file.headerTimeout(), d.headerTimeout()),
                pick("--body-timeout", bodyTimeout, file.bodyTimeout(), d.bodyTimeout()),
                pick("--idle-timeout", idleTimeout, file.idleTimeout(), d.idleTimeout()),
                maxConnections != null ? maxConnections
                        : file.maxConnections() != null ? file.maxConnections() : d.maxConnections());
    }

    Duration shutdownGrace(ServerSection file) {
        return pick("--shutdown-grace", shutdownGrace, file.shutdownGrace(), DEFAULT_SHUTDOWN_GRACE);
    }

    boolean metricsPublic(ServerSection file) {
        return metricsPublic != null ? metricsPublic : Boolean.TRUE.equals(file.metricsPublic());
    }

    boolean openPull(ServerSection file) {
        return openPull != null ? openPull : Boolean.TRUE.equals(file.openPull());
    }

    private static Duration pick(String option, String given, Duration fromFile, Duration fallback) {
        if (given != null) {
            Duration d = duration(option, given);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(option + " " + given + ": expected a positive duration");
            }
            return d;
        }
        return fromFile != null ? fromFile : fallback;
    }

    /** {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, or seconds. */
    static Duration duration(String option, String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(-?\\d+)(ms|s|m|h)?").matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException(option + " " + text + ": expected a duration like 500ms, 30s, 5m or 1h");
        }
        long amount = Long.parseLong(m.group(1));
        return switch (m.group(2) == null ? "s" : m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofSeconds(amount);
        };
    }
}
