package dev.hearth.server.http.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.server.agents.AgentCall;
import dev.hearth.server.http.ApiException;
import dev.hearth.server.http.ChoiceEvents;
import dev.hearth.server.http.HearthServer;
import dev.hearth.server.http.Json;
import dev.hearth.server.http.RequestContext;
import dev.hearth.server.route.EmbeddingInput;
import dev.hearth.server.route.EmbeddingResult;
import dev.hearth.server.route.Generation;
import dev.hearth.server.route.GenerationSpec;
import dev.hearth.server.route.ModelInfo;
import dev.hearth.server.route.RelayedResponse;
import dev.hearth.server.route.RouteRequest;
import dev.hearth.server.route.RoutedCall;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The OpenAI routes: parse, one router call (local engine or remote relay), write. Errors go to the server's one
 * error handler. Generations name who served them in {@value #BACKEND_HEADER}.
 */
public final class OpenAiHandlers {
    public static final String BACKEND_HEADER = "x-hearth-backend";
    private final RequestContext context;

    public OpenAiHandlers(RequestContext context) {
        this.context = context;
    }

    public void chatCompletions(ServerRequest req, ServerResponse res) throws Exception {
        byte[] raw = context.bodyBytes(req);
        ObjectNode body = Json.parse(raw, ObjectNode.class);
        Lazy<ChatCompletionRequest> request = new Lazy<>(() -> Json.MAPPER.treeToValue(body,
                ChatCompletionRequest.class));
        Lazy<GenerationSpec> spec = new Lazy<>(() -> OpenAiParams.chat(request.get()));
        RouteRequest route = RouteRequest.chat(raw, body, h -> header(req, h)).withCaller(context.agentCall(req));
        answer(res, route, spec, generation -> {
            ChatCompletionRequest r = request.get();
            return new Local(new ChatResponder(id("chatcmpl-"), generation, spec.get().sampling()), r.stream(),
                    r.streamOptions());
        });
    }

    public void completions(ServerRequest req, ServerResponse res) throws Exception {
        byte[] raw = context.bodyBytes(req);
        ObjectNode body = Json.parse(raw, ObjectNode.class);
        Lazy<CompletionRequest> request = new Lazy<>(() -> Json.MAPPER.treeToValue(body, CompletionRequest.class));
        Lazy<GenerationSpec> spec = new Lazy<>(() -> OpenAiParams.completion(request.get()));
        RouteRequest route = RouteRequest.completion(raw, body, h -> header(req, h))
                .withCaller(context.agentCall(req));
        answer(res, route, spec, generation -> {
            CompletionRequest r = request.get();
            return new Local(new CompletionResponder(id("cmpl-"), generation, spec.get().sampling()), r.stream(),
                    r.streamOptions());
        });
    }

    /** How a local generation is written: its responder, and the client's stream options. */
    private record Local(Responder responder, Boolean stream, ChatCompletionRequest.StreamOptions streamOptions) {}

    /**
     * Routes the request; relays a remote answer, or writes the local generation whole or streamed. The request is
     * parsed for the engine ({@code spec}) only when a local target is tried.
     */
    private void answer(ServerResponse res, RouteRequest route, Lazy<GenerationSpec> spec,
            java.util.function.Function<Generation, Local> locals) throws Exception {
        if (route.model() == null) {
            spec.get(); // no model to route by: the full validation names what is missing
        }
        RoutedCall routed = context.router().route(route, spec::get);
        res.header(BACKEND_HEADER, routed.target());
        AgentCall call = route.caller();
        if (call != null) {
            call.servedBy(routed.target());
        }
        if (routed instanceof RoutedCall.Relayed relayed) {
            relay(relayed.response(), res);
            if (call != null && relayed.response().done() != null) {
                call.generationDone(relayed.target(), relayed.response().done());
            }
            return;
        }
        Generation generation = ((RoutedCall.Local) routed).generation();
        ChoiceEvents events = new ChoiceEvents(generation, context.metrics(), call);
        try {
            Local local = locals.apply(generation);
            if (Boolean.TRUE.equals(local.stream())) {
                boolean usage = local.streamOptions() != null
                        && Boolean.TRUE.equals(local.streamOptions().includeUsage());
                local.responder().stream(events, res, usage);
            } else {
                HearthServer.sendJson(res, 200, local.responder().complete(events));
            }
        } finally {
            events.cancel(); // a no-op once every choice is done; frees the engine after a failure
        }
    }

    /** Writes a remote answer as it arrives; a client that goes away aborts the upstream exchange. */
    private static void relay(RelayedResponse relayed, ServerResponse res) {
        res.status(200);
        res.header(HeaderNames.CONTENT_TYPE, relayed.contentType());
        if (!relayed.stream()) {
            res.send(relayed.body()); // one write: head and body
            return;
        }
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        try (OutputStream out = res.outputStream()) {
            relayed.writeTo(out);
        } catch (IOException | UncheckedIOException gone) {
            // the client went away; writeTo has cancelled the upstream
        }
    }

    private static String header(ServerRequest req, String name) {
        return req.headers().first(HeaderNames.create(name)).orElse(null);
    }

    /** The local models, then the routes (public names the router serves, {@code owned_by} {@value ModelObject#ROUTE}). */
    public void models(ServerRequest req, ServerResponse res) {
        List<ModelObject> data = new ArrayList<>(context.backend().models().stream().map(ModelObject::of).toList());
        for (String route : context.router().routeNames()) {
            if (data.stream().noneMatch(m -> m.id().equals(route))) {
                data.add(ModelObject.route(route, context.router().createdEpochSeconds()));
            }
        }
        HearthServer.sendJson(res, 200, new ModelObject.ModelList("list", data));
    }

    public void model(ServerRequest req, ServerResponse res) {
        String name = req.path().path().substring("/v1/models/".length());
        if (context.router().routeTargets(name) != null) {
            HearthServer.sendJson(res, 200, ModelObject.route(name, context.router().createdEpochSeconds()));
            return;
        }
        ModelInfo info = context.backend().model(name).orElseThrow(() -> new ApiException(404,
                "invalid_request_error", "model", "model_not_found",
                "the model '" + name + "' does not exist or is not loaded", 0));
        HearthServer.sendJson(res, 200, ModelObject.of(info));
    }

    public void embeddings(ServerRequest req, ServerResponse res) throws Exception {
        EmbeddingRequest request = context.body(req, EmbeddingRequest.class);
        String model = OpenAiParams.requireModel(request.model());
        List<EmbeddingInput> inputs = EmbeddingInputs.parse(request.input());
        String format = request.encodingFormat() == null ? "float" : request.encodingFormat();
        if (!format.equals("float") && !format.equals("base64")) {
            throw ApiException.badParam("encoding_format", "'encoding_format' must be 'float' or 'base64', got '"
                    + format + "'");
        }
        EmbeddingResult result = context.backend().embedInputs(model, inputs);
        List<Embeddings.Item> data = new ArrayList<>();
        for (int i = 0; i < result.vectors().size(); i++) {
            float[] v = result.vectors().get(i);
            if (request.dimensions() != null && request.dimensions() != v.length) {
                throw ApiException.badParam("dimensions", "the model '" + model + "' makes embeddings of "
                        + v.length + " dimensions; 'dimensions' " + request.dimensions() + " is not supported");
            }
            data.add(new Embeddings.Item("embedding", i, format.equals("base64") ? EmbeddingInputs.base64(v) : v));
        }
        HearthServer.sendJson(res, 200, new Embeddings("list", data, result.model(),
                new Embeddings.Usage(result.promptTokens(), result.promptTokens())));
    }

    static String id(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 24);
    }
}
