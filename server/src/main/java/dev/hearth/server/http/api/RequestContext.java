package dev.hearth.server.http.api;

import dev.hearth.server.agents.AgentCall;
import dev.hearth.server.metrics.ServerMetrics;
import dev.hearth.server.backend.Backend;
import dev.hearth.server.backend.Generation;
import dev.hearth.server.backend.GenerationSpec;
import dev.hearth.server.backend.PullPermission;
import dev.hearth.server.route.RouteRequest;
import dev.hearth.server.route.RoutedCall;
import dev.hearth.server.route.Router;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.util.function.Supplier;

/**
 * What every handler needs: the backend, the metrics, the router (which picks local or remote per request), and the
 * bounded, timed JSON body reader.
 *
 * @param maxBodyBytes the largest request body taken (413 beyond it)
 * @param bodyReader reads a body within the server's connection defences (the body timeout)
 */
public record RequestContext(Backend backend, ServerMetrics metrics, Router router, long maxBodyBytes,
        BodyReader bodyReader) {

    /** The response header that names who served a generation: {@code backend/model}. */
    public static final String BACKEND_HEADER = "x-hearth-backend";

    /** The request body as {@code type}; 413 beyond the limit, 400 for malformed JSON or wrong types. */
    public <T> T body(ServerRequest req, Class<T> type) throws IOException {
        long declared = req.headers().contentLength().orElse(-1L);
        if (declared > maxBodyBytes) {
            throw ApiException.tooLarge(maxBodyBytes);
        }
        return Json.parse(bodyBytes(req), type);
    }

    /** The request body's bytes, as {@link #body} bounds them: 413 beyond the limit, 400 when empty. */
    public byte[] bodyBytes(ServerRequest req) throws IOException {
        long declared = req.headers().contentLength().orElse(-1L);
        if (declared > maxBodyBytes) {
            throw ApiException.tooLarge(maxBodyBytes);
        }
        // within the body timeout (bodyReader): a client sending its body slowly holds no connection for long
        byte[] bytes = bodyReader.read(req, maxBodyBytes);
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

    /**
     * The one call of a generation handler: routes {@code route} as this request's caller's (quota reservation and
     * scheduling), names the target that serves in {@value #BACKEND_HEADER} and books it on the caller. {@code spec}
     * is made only when a local target is tried.
     */
    public RoutedCall route(ServerRequest req, ServerResponse res, RouteRequest route, Supplier<GenerationSpec> spec)
            throws InterruptedException {
        AgentCall call = agentCall(req);
        RoutedCall routed = router.route(route.withCaller(call), spec);
        res.header(BACKEND_HEADER, routed.target());
        if (call != null) {
            call.servedBy(routed.target());
        }
        return routed;
    }

    /** Whether this request may make the server download a model it names (its caller's; allowed without agents). */
    public PullPermission pull(ServerRequest req) {
        AgentCall call = agentCall(req);
        return call == null ? PullPermission.ALLOWED : call.pull();
    }

    /** A local generation's events for writing; each finished choice is booked on the request's caller. */
    public ChoiceEvents events(ServerRequest req, Generation generation) {
        return new ChoiceEvents(generation, metrics, agentCall(req));
    }

    /** Books a relayed answer's usage on the request's caller once it has been written, as local choices are. */
    public void relayed(ServerRequest req, RoutedCall.Relayed relayed) {
        AgentCall call = agentCall(req);
        if (call != null && relayed.response().done() != null) {
            call.generationDone(relayed.target(), relayed.response().done());
        }
    }

}
