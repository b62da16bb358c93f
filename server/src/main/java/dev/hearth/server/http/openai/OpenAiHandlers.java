package dev.hearth.server.http.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.server.http.api.ApiException;
import dev.hearth.server.http.api.ChoiceEvents;
import dev.hearth.server.http.api.Json;
import dev.hearth.server.http.api.RequestContext;
import dev.hearth.server.backend.EmbeddingInput;
import dev.hearth.server.backend.EmbeddingResult;
import dev.hearth.server.backend.Generation;
import dev.hearth.server.backend.GenerationSpec;
import dev.hearth.server.backend.ModelInfo;
import dev.hearth.server.upstream.RelayedResponse;
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
 * error handler. Generations name who served them in {@value RequestContext#BACKEND_HEADER}.
 */
public final class OpenAiHandlers {
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
        answer(req, res, RouteRequest.chat(raw, body, h -> header(req, h)), spec, generation -> {
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
        answer(req, res, RouteRequest.completion(raw, body, h -> header(req, h)), spec, generation -> {
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
    private void answer(ServerRequest req, ServerResponse res, RouteRequest route, Lazy<GenerationSpec> spec,
            java.util.function.Function<Generation, Local> locals) throws Exception {
        if (route.model() == null) {
            spec.get(); // no model to route by: the full validation names what is missing
        }
        RoutedCall routed = context.route(req, res, route, spec::get);
        if (routed instanceof RoutedCall.Relayed relayed) {
            relay(relayed.response(), res);
            context.relayed(req, relayed);
            return;
        }
        Generation generation = ((RoutedCall.Local) routed).generation();
        ChoiceEvents events = context.events(req, generation);
        try {
            Local local = locals.apply(generation);
            if (Boolean.TRUE.equals(local.stream())) {
                boolean usage = local.streamOptions() != null
                        && Boolean.TRUE.equals(local.streamOptions().includeUsage());
                local.responder().stream(events, res, usage);
            } else {
                Json.send(res, 200, local.responder().complete(events));
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
        Json.send(res, 200, new ModelObject.ModelList("list", data));
    }

    public void model(ServerRequest req, ServerResponse res) {
        String name = req.path().path().substring("/v1/models/".length());
        if (context.router().routeTargets(name) != null) {
            Json.send(res, 200, ModelObject.route(name, context.router().createdEpochSeconds()));
            return;
        }
        ModelInfo info = context.backend().model(name).orElseThrow(() -> new ApiException(404,
                "invalid_request_error", "model", "model_not_found",
                "the model '" + name + "' does not exist or is not loaded", 0));
        Json.send(res, 200, ModelObject.of(info));
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
        EmbeddingResult result = context.backend().embedInputs(model, inputs, context.pull(req));
        List<Embeddings.Item> data = new ArrayList<>();
        for (int i = 0; i < result.vectors().size(); i++) {
            float[] v = result.vectors().get(i);
            if (request.dimensions() != null && request.dimensions() != v.length) {
                throw ApiException.badParam("dimensions", "the model '" + model + "' makes embeddings of "
                        + v.length + " dimensions; 'dimensions' " + request.dimensions() + " is not supported");
            }
            data.add(new Embeddings.Item("embedding", i, format.equals("base64") ? EmbeddingInputs.base64(v) : v));
        }
        Json.send(res, 200, new Embeddings("list", data, result.model(),
                new Embeddings.Usage(result.promptTokens(), result.promptTokens())));
    }

    static String id(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 24);
    }
}
