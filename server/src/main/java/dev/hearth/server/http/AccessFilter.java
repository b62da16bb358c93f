package dev.hearth.server.http;

import dev.hearth.server.metrics.ServerMetrics;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Runs around every request: Bearer-key check (everything but {@code /health}, when a key is set) and the request
 * counter by endpoint and status.
 */
final class AccessFilter implements Filter {
    private final byte[] expected;
    private final ServerMetrics metrics;

    AccessFilter(String apiKey, ServerMetrics metrics) {
        this.expected = apiKey == null ? null : ("Bearer " + apiKey).getBytes(StandardCharsets.UTF_8);
        this.metrics = metrics;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String path = req.path().path();
        try {
            if (expected != null && !path.equals("/health") && !authorized(req)) {
                HearthServer.writeError(req, res, ApiException.unauthorized());
                return;
            }
            chain.proceed();
        } finally {
            metrics.request(endpoint(path), res.status().code());
        }
    }

    private boolean authorized(RoutingRequest req) {
        String header = req.headers().first(HeaderNames.AUTHORIZATION).orElse("");
        return MessageDigest.isEqual(expected, header.getBytes(StandardCharsets.UTF_8));
    }

    /** A bounded set of labels: known routes by name, the rest as {@code other}. */
    static String endpoint(String path) {
        return switch (path) {
            case "/", "/health", "/metrics", "/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/v1/models",
                 "/api/chat", "/api/generate", "/api/tags", "/api/show", "/api/ps", "/api/version", "/api/embed" ->
                    path;
            default -> path.startsWith("/v1/models/") ? "/v1/models/{id}" : "other";
        };
    }
}
