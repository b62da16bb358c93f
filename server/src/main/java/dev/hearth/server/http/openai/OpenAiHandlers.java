package dev.hearth.server.http.openai;

import dev.hearth.server.http.ApiException;
import dev.hearth.server.http.ChoiceEvents;
import dev.hearth.server.http.HearthServer;
import dev.hearth.server.http.RequestContext;
import dev.hearth.server.route.EmbeddingInput;
import dev.hearth.server.route.EmbeddingResult;
import dev.hearth.server.route.Generation;
import dev.hearth.server.route.GenerationSpec;
import dev.hearth.server.route.ModelInfo;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The OpenAI routes: parse, one backend call, write. Errors go to the server's one error handler. */
public final class OpenAiHandlers {
    private final RequestContext context;

    public OpenAiHandlers(RequestContext context) {
        this.context = context;
    }

    public void chatCompletions(ServerRequest req, ServerResponse res) throws Exception {
        ChatCompletionRequest request = context.body(req, ChatCompletionRequest.class);
        GenerationSpec spec = OpenAiParams.chat(request);
        Generation generation = context.backend().generate(spec);
        ChoiceEvents events = new ChoiceEvents(generation, context.metrics());
        try {
            ChatResponder responder = new ChatResponder(id("chatcmpl-"), generation, spec.sampling());
            if (Boolean.TRUE.equals(request.stream())) {
                boolean usage = request.streamOptions() != null
                        && Boolean.TRUE.equals(request.streamOptions().includeUsage());
                responder.stream(events, res, usage);
            } else {
                HearthServer.sendJson(res, 200, responder.complete(events));
            }
        } finally {
            events.cancel(); // a no-op once every choice is done; frees the engine after a failure
        }
    }

    public void completions(ServerRequest req, ServerResponse res) throws Exception {
        CompletionRequest request = context.body(req, CompletionRequest.class);
        GenerationSpec spec = OpenAiParams.completion(request);
        Generation generation = context.backend().generate(spec);
        ChoiceEvents events = new ChoiceEvents(generation, context.metrics());
        try {
            CompletionResponder responder = new CompletionResponder(id("cmpl-"), generation, spec.sampling());
            if (Boolean.TRUE.equals(request.stream())) {
                boolean usage = request.streamOptions() != null
                        && Boolean.TRUE.equals(request.streamOptions().includeUsage());
                responder.stream(events, res, usage);
            } else {
                HearthServer.sendJson(res, 200, responder.complete(events));
            }
        } finally {
            events.cancel(); // a no-op once every choice is done; frees the engine after a failure
        }
    }

    public void models(ServerRequest req, ServerResponse res) {
        List<ModelObject> data = context.backend().models().stream().map(ModelObject::of).toList();
        HearthServer.sendJson(res, 200, new ModelObject.ModelList("list", data));
    }

    public void model(ServerRequest req, ServerResponse res) {
        String name = req.path().path().substring("/v1/models/".length());
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
