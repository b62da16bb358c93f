package dev.hearth.server.http.ollama;

import dev.hearth.server.backend.GenerationFailedException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.engine.FinishReason;
import dev.hearth.engine.GenerationEvent;
import dev.hearth.server.http.api.ApiException;
import dev.hearth.server.http.api.ChoiceEvents;
import dev.hearth.server.http.api.ErrorMapper;
import dev.hearth.server.http.api.Json;
import dev.hearth.server.http.api.RequestContext;
import dev.hearth.server.http.api.StreamWriter;
import dev.hearth.server.backend.EmbeddingInput;
import dev.hearth.server.backend.EmbeddingResult;
import dev.hearth.server.backend.Generation;
import dev.hearth.server.backend.GenerationSpec;
import dev.hearth.server.backend.PromptMessage;
import dev.hearth.server.backend.PromptMessage;
import dev.hearth.server.route.RouteRequest;
import dev.hearth.server.route.RoutedCall;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import java.io.IOException;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/** The Ollama routes ({@code /api/...}): NDJSON streaming by default, errors as {@code {"error": "..."}}. */
public final class OllamaHandlers {
    /** The Ollama API version clients see; Hearth's own version is in the {@code hearth} field of tags. */
    static final String VERSION = "0.1.0";
    private static final String FAR_FUTURE = "2318-11-26T00:00:00Z";
    private final RequestContext context;
    private final OllamaModels models;

    public OllamaHandlers(RequestContext context) {
        this.context = context;
        this.models = new OllamaModels(context);
    }

    public void chat(ServerRequest req, ServerResponse res) throws Exception {
        OllamaRequests.Chat r = context.body(req, OllamaRequests.Chat.class);
        String model = requireModel(r.model());
        List<PromptMessage> messages = OllamaSpecs.messages(r.messages());
        if (messages.isEmpty() && context.router().isRouted(model)) {
            routedLoad(res, model, (created, reason) -> new OllamaResponses.ChatChunk(model, created,
                    new OllamaResponses.Message("assistant", ""), true, reason, null, null, null, null, null, null));
            return;
        }
        if (messages.isEmpty()) {
            loaded(req, res, model, KeepAlive.parse(r.keepAlive()), (created, reason) -> new OllamaResponses.ChatChunk(model, created,
                    new OllamaResponses.Message("assistant", ""), true, reason, null, null, null, null, null, null));
            return;
        }
        Supplier<GenerationSpec> spec = OllamaSpecs.withFormat(OllamaSpecs.spec(model, messages, null, r.tools(),
                r.options(), KeepAlive.parse(r.keepAlive())), r.format());
        RoutedCall routed = route(req, res, "/chat/completions", OllamaToOpenAi.chat(r), spec);
        if (routed instanceof RoutedCall.Relayed relayed) {
            relay(req, relayed, new OllamaRelay(relayed.response(), model, true), res);
            return;
        }
        Generation generation = ((RoutedCall.Local) routed).generation();
        ChoiceEvents events = context.events(req, generation);
        try {
            new OllamaChatWriter(generation).write(res, !Boolean.FALSE.equals(r.stream()), events);
        } finally {
            events.cancel(); // a no-op once the generation is done; frees the engine after a failure
        }
    }

    public void generate(ServerRequest req, ServerResponse res) throws Exception {
        OllamaRequests.Generate r = context.body(req, OllamaRequests.Generate.class);
        String model = requireModel(r.model());
        if (r.images() != null && !r.images().isEmpty()) {
            throw ApiException.badParam("images", "images are not supported");
        }
        if (r.template() != null && !r.template().isEmpty()) {
            throw ApiException.badParam("template", "a per-request 'template' is not supported");
        }
        String prompt = r.prompt() == null ? "" : r.prompt();
        if (prompt.isEmpty() && (r.system() == null || r.system().isEmpty()) && context.router().isRouted(model)) {
            routedLoad(res, model, (created, reason) -> new OllamaResponses.GenerateChunk(model, created, "", true,
                    reason, null, null, null, null, null, null));
            return;
        }
        if (prompt.isEmpty() && (r.system() == null || r.system().isEmpty())) {
            loaded(req, res, model, KeepAlive.parse(r.keepAlive()), (created, reason) -> new OllamaResponses.GenerateChunk(model, created, "", true,
                    reason, null, null, null, null, null, null));
            return;
        }
        GenerationSpec spec;
        if (Boolean.TRUE.equals(r.raw())) {
            spec = OllamaSpecs.spec(model, null, prompt, null, r.options(), KeepAlive.parse(r.keepAlive()));
        } else {
            List<PromptMessage> messages = new ArrayList<>();
            if (r.system() != null && !r.system().isEmpty()) {
                messages.add(PromptMessage.of("system", r.system()));
            }
            messages.add(PromptMessage.of("user", prompt));
            spec = OllamaSpecs.spec(model, messages, null, null, r.options(), KeepAlive.parse(r.keepAlive()));
        }
        RoutedCall routed = route(req, res, Boolean.TRUE.equals(r.raw()) ? "/completions" : "/chat/completions",
                OllamaToOpenAi.generate(r), OllamaSpecs.withFormat(spec, r.format()));
        if (routed instanceof RoutedCall.Relayed relayed) {
            relay(req, relayed, new OllamaRelay(relayed.response(), model, false), res);
            return;
        }
        respond(req, ((RoutedCall.Local) routed).generation(), res, r.stream(), (text, done) -> {
            String created = Instant.now().toString();
            if (done == null) {
                return new OllamaResponses.GenerateChunk(spec.model(), created, text, false, null, null, null, null,
                        null, null, null);
            }
            return new OllamaResponses.GenerateChunk(spec.model(), created, text, true, done.reason().apiName(),
                    done.totalNanos(), 0L, done.promptTokens(), done.timeToFirstTokenNanos(),
                    done.generatedTokens(), done.totalNanos() - done.timeToFirstTokenNanos());
        });
    }

    /**
     * Routes an Ollama request (as its OpenAI equivalent {@code body} for a remote backend, as {@code spec}, made
     * only when a local target is tried, for the local engine) and names who serves it in {@code x-hearth-backend}.
     */
    private RoutedCall route(ServerRequest req, ServerResponse res, String path, ObjectNode body,
            Supplier<GenerationSpec> spec) throws InterruptedException {
        return context.route(req, res, RouteRequest.of(path, body,
                name -> req.headers().first(HeaderNames.create(name)).orElse(null)), spec);
    }

    /** Writes a remote answer, then reports its usage to the request's agent call (as a local one reports). */
    private void relay(ServerRequest req, RoutedCall.Relayed relayed, OllamaRelay relay, ServerResponse res) {
        try {
            relay.write(res);
        } catch (IOException | java.io.UncheckedIOException gone) {
            // the client went away; the relay has cancelled the upstream
        }
        context.relayed(req, relayed);
    }

    /** A load request for a route or a remote model: nothing to load here. */
    private static void routedLoad(ServerResponse res, String model, BiFunction<String, String, Object> body) {
        Json.send(res, 200, body.apply(Instant.now().toString(), "load"));
    }

    /** Streams one chunk per text delta and a final one, or (stream false) one object with the whole text. */
    private void respond(ServerRequest req, Generation generation, ServerResponse res, Boolean stream,
            BiFunction<String, GenerationEvent.Done, Object> chunk) throws InterruptedException {
        ChoiceEvents events = context.events(req, generation);
        try {
            write(res, stream, chunk, events);
        } finally {
            events.cancel(); // a no-op once the generation is done; frees the engine after a failure
        }
    }

    private static void write(ServerResponse res, Boolean stream, BiFunction<String, GenerationEvent.Done, Object> chunk,
            ChoiceEvents events) throws InterruptedException {
        if (Boolean.FALSE.equals(stream)) {
            ChoiceEvents.Whole whole = events.whole();
            Json.send(res, 200, chunk.apply(whole.text(), whole.done()));
            return;
        }
        StreamWriter out = StreamWriter.ndjson(res);
        try {
            for (ChoiceEvents.Event e; (e = events.next()) != null; ) {
                switch (e.event()) {
                    case GenerationEvent.Token t -> {
                        if (!t.text().isEmpty()) {
                            out.event(chunk.apply(t.text(), null));
                        }
                    }
                    case GenerationEvent.Done d -> out.event(d.reason() == FinishReason.ERROR
                            ? ErrorMapper.ollamaBody(ErrorMapper.map(new GenerationFailedException(d.error())))
                            : chunk.apply("", d));
                }
            }
        } catch (StreamWriter.ClientGoneException gone) {
            events.cancel();
        } finally {
            out.close();
        }
    }

    /** A request without messages loads the model (or, with {@code keep_alive} 0, unloads it). */
    private void loaded(ServerRequest req, ServerResponse res, String model, Duration keepAlive,
            BiFunction<String, String, Object> body) {
        context.backend().touch(model, keepAlive, context.pull(req));
        boolean unload = keepAlive != null && keepAlive.isZero();
        Json.send(res, 200, body.apply(Instant.now().toString(), unload ? "unload" : "load"));
    }

    public void tags(ServerRequest req, ServerResponse res) {
        models.tags(res);
    }

    public void ps(ServerRequest req, ServerResponse res) {
        List<OllamaResponses.Running> running = context.backend().models().stream()
                .map(m -> new OllamaResponses.Running(m.name(), m.name(), m.sizeBytes(), "",
                        OllamaResponses.Details.of(m), context.backend().expiresAt(m.name()).map(Instant::toString)
                        .orElse(FAR_FUTURE), 0, m.contextLength()))
                .toList();
        Json.send(res, 200, new OllamaResponses.Ps(running));
    }

    public void show(ServerRequest req, ServerResponse res) throws Exception {
        OllamaRequests.Show r = context.body(req, OllamaRequests.Show.class);
        models.show(res, requireModel(r.model() != null ? r.model() : r.name()));
    }

    public void version(ServerRequest req, ServerResponse res) {
        Json.send(res, 200, new OllamaResponses.Version(VERSION));
    }

    public void embed(ServerRequest req, ServerResponse res) throws Exception {
        OllamaRequests.Embed r = context.body(req, OllamaRequests.Embed.class);
        String model = requireModel(r.model());
        List<EmbeddingInput> inputs = new ArrayList<>();
        JsonNode input = r.input();
        if (input != null && input.isTextual()) {
            inputs.add(EmbeddingInput.of(input.textValue()));
        } else if (input != null && input.isArray() && !input.isEmpty()) {
            for (int i = 0; i < input.size(); i++) {
                if (!input.get(i).isTextual()) {
                    throw ApiException.badParam("input[" + i + "]", "'input' must be a string or strings");
                }
                inputs.add(EmbeddingInput.of(input.get(i).textValue()));
            }
        } else {
            throw ApiException.missing("input");
        }
        long start = System.nanoTime();
        EmbeddingResult result = context.backend().embedInputs(model, inputs, context.pull(req));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", result.model());
        body.put("embeddings", result.vectors());
        body.put("total_duration", System.nanoTime() - start);
        body.put("load_duration", 0);
        body.put("prompt_eval_count", result.promptTokens());
        Json.send(res, 200, body);
    }

    private static String requireModel(String model) {
        if (model == null || model.isBlank()) {
            throw ApiException.missing("model");
        }
        return model;
    }
}
