package dev.hearth.server.http;

import dev.hearth.server.http.api.ApiException;
import dev.hearth.server.metrics.ServerMetrics;
import dev.hearth.server.agents.AgentCall;
import dev.hearth.server.agents.AgentGate;
import dev.hearth.server.agents.Caller;
import dev.hearth.server.agents.QuotaExceededException;
import dev.hearth.server.backend.PullPermission;
import dev.hearth.server.web.WebRoutes;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Runs around every request: Bearer-key check (everything but {@code /health}, when a key is set) and the request
 * counter by endpoint and status. With agents ({@link AgentGate}): agent keys, quotas before a POST is handled (so
 * before anything is queued), the {@link AgentCall} put in the request's context for the handler (which passes it
 * on: {@link RequestContext#agentCall}), and the ledger row after the response;
 * admin-only endpoints ({@link AdminAccess}: usage, stats, metrics, pulls) refuse agent keys; pulling on first use is
 * the admin's unless allowed; two {@code Authorization} headers are a 400. The web pages and their static assets
 * ({@link WebRoutes#isPublic}) are open: they hold no data and ask for a key in the browser.
 */
final class AccessFilter implements Filter {
    private static final HeaderName AGENT = HeaderNames.create("X-Hearth-Agent");
    private static final HeaderName PRIORITY = HeaderNames.create("X-Hearth-Priority");
    private final byte[] expected;
    private final ServerMetrics metrics;
    private final AgentGate agents;
    private final ServerSettings settings;

    AccessFilter(ServerSettings settings, ServerMetrics metrics, AgentGate agents) {
        this.settings = settings;
        String apiKey = settings.apiKey();
        this.expected = apiKey == null ? null : ("Bearer " + apiKey).getBytes(StandardCharsets.UTF_8);
        this.metrics = metrics;
        this.agents = agents;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String path = req.path().path();
        try {
            int authorizations = req.headers().all(HeaderNames.AUTHORIZATION, java.util.List::of).size();
            if (authorizations > 1) {  // which one would count is ambiguous: a proxy and the server could disagree
                ErrorWriter.write(req, res, ApiException.badParam("authorization", "the request has "
                        + authorizations + " Authorization headers; send exactly one"));
                return;
            }
            if (WebRoutes.isPublic(req.prologue().method(), path)) {
                chain.proceed();  // the pages and their scripts hold no data; what they fetch is checked
                return;
            }
            if (agents != null && !path.equals("/health")) {
                filterAgent(chain, req, res, path);
                return;
            }
            if (expected != null && !path.equals("/health") && !authorized(req)) {
                ErrorWriter.write(req, res, ApiException.unauthorized());
                return;
            }
            chain.proceed();
        } finally {
            metrics.request(endpoint(path), res.status().code(),
                    req.context().get(ErrorWriter.ERROR_MESSAGE, String.class).orElse(null));
        }
    }

    private void filterAgent(FilterChain chain, RoutingRequest req, RoutingResponse res, String path) {
        Optional<Caller> caller;
        try {
            caller = agents.identify(req.headers().first(HeaderNames.AUTHORIZATION).orElse(null),
                    req.headers().first(AGENT).orElse(null), req.headers().first(PRIORITY).orElse(null));
        } catch (IllegalArgumentException e) {
            ErrorWriter.write(req, res, ApiException.badParam(e.getMessage().startsWith("priority")
                    ? PRIORITY.defaultCase() : AGENT.defaultCase(), e.getMessage()));
            return;
        }
        if (caller.isEmpty()) {
            ErrorWriter.write(req, res, ApiException.unauthorized());
            return;
        }
        if (AdminAccess.adminOnly(path, settings) && !AdminAccess.isAdmin(caller.get())) {
            ErrorWriter.write(req, res, AdminAccess.forbidden(path));
            return;
        }
        if (req.prologue().method() != Method.POST) {
            chain.proceed();
            return;
        }
        AgentCall call;
        try {
            call = agents.begin(caller.get(), endpoint(path), AdminAccess.mayPull(caller.get(), settings)
                    ? PullPermission.ALLOWED : PullPermission.REFUSED);
        } catch (QuotaExceededException e) {
            ErrorWriter.write(req, res, e);
            return;
        }
        try {
            req.context().register(AgentCall.class, call);
            chain.proceed();
        } finally {
            int status = res.status().code();
            agents.end(call, status, status >= 400 ? "HTTP " + status : null);
        }
    }

    private boolean authorized(RoutingRequest req) {
        String header = req.headers().first(HeaderNames.AUTHORIZATION).orElse("");
        return MessageDigest.isEqual(expected, header.getBytes(StandardCharsets.UTF_8));
    }

    /** A bounded set of labels: known routes by name, the rest as {@code other}. */
    static String endpoint(String path) {
        return switch (path) {
            case "/", "/dashboard", WebRoutes.STATS, "/health", "/metrics", "/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/v1/models",
                 "/api/chat", "/api/generate", "/api/tags", "/api/show", "/api/ps", "/api/version", "/api/embed" ->
                    path;
            default -> path.startsWith("/v1/models/") ? "/v1/models/{id}" : "other";
        };
    }
}
