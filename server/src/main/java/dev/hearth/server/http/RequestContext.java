package dev.hearth.server.http;

import dev.hearth.server.agents.AgentCall;
import dev.hearth.server.metrics.ServerMetrics;
import dev.hearth.server.route.Backend;
import dev.hearth.server.route.Router;
import io.helidon.webserver.http.ServerRequest;
import java.io.IOException;

/**
 * What every handler needs: the backend, the settings, the metrics, the router (which picks local or remote per
 * request), and the bounded, timed JSON body reader.
 */
public record RequestContext(Backend backend, ServerSettings settings, ServerMetrics metrics, Router router,
        ConnectionGuard guard) {

    /** The request body as {@code type}; 413 beyond the limit, 400 for malformed JSON or wrong types. */
    public <T> T body(ServerRequest req, Class<T> type) throws IOException {
        long declared = req.headers().contentLength().orElse(-1L);
        if (declared > settings.maxBodyBytes()) {
            throw ApiException.tooLarge(settings.maxBodyBytes());
        }
        return Json.parse(bodyBytes(req), type);
    }

    /** The request body's bytes, as {@link #body} bounds them: 413 beyond the limit, 400 when empty. */
    public byte[] bodyBytes(ServerRequest req) throws IOException {
        long declared = req.headers().contentLength().orElse(-1L);
        if (declared > settings.maxBodyBytes()) {
            throw ApiException.tooLarge(settings.maxBodyBytes());
        }
        // within the body timeout: a client sending its body slowly holds no connection for long
        byte[] bytes = guard.readBody(() -> Json.readBounded(req.content().inputStream(), settings.maxBodyBytes()));
        if (bytes.length == 0) {
            throw new ApiException(400, "invalid_request_error", null, "invalid_json",
                    "the request body is empty; expected a JSON object", 0);
        }
        return bytes;
    }

    /**
     * The agent call that the access filter opened for this request (quotas, scheduling, ledger), or null: agents
     * are off, or the request is no POST.
     */
    public AgentCall agentCall(ServerRequest req) {
        return req.context().get(AgentCall.class, AgentCall.class).orElse(null);
    }

}
