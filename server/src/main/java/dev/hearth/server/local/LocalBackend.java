package dev.hearth.server.local;

import dev.hearth.engine.Engine;
import dev.hearth.engine.GenerationHandle;
import dev.hearth.engine.GenerationRequest;
import dev.hearth.engine.Scheduling;
import dev.hearth.server.backend.Backend;
import dev.hearth.server.backend.EmbeddingInput;
import dev.hearth.server.backend.EmbeddingResult;
import dev.hearth.server.backend.Generation;
import dev.hearth.server.backend.GenerationSpec;
import dev.hearth.server.backend.InvalidRequestException;
import dev.hearth.server.backend.ModelInfo;
import dev.hearth.server.backend.ModelState;
import dev.hearth.server.backend.PullPermission;
import dev.hearth.server.backend.ToolChoice;
import dev.hearth.server.backend.UnsupportedFeatureException;
import dev.hearth.server.chat.ChatOutputFormat;
import dev.hearth.server.chat.ChatOutputParser;
import dev.hearth.server.chat.ToolCallFormat;
import dev.hearth.server.chat.ToolCallGrammar;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Serves models loaded in this process: model name to engine plus text side. Renders the chat template, tokenizes,
 * builds the sampler from the request and submits to the model's engine.
 */
public final class LocalBackend implements Backend {
    private final LoadedModels models;
    private final GrammarCache grammars;
    /** Drops the grammars left idle, so that memory comes back once the load stops. */
    private final Thread grammarSweeper;

    /** Serves only the models {@link #add}ed. */
    public LocalBackend() {
        this(new LoadedModels(null, Duration.ofMinutes(5), System::currentTimeMillis));
    }

    /** Serves the models added and, through {@code models}' source, loads others on first use. */
    public LocalBackend(LoadedModels models) {
        this(models, new GrammarCache(GrammarCache.BYTES, GrammarCache.IDLE, System::nanoTime));
    }

    LocalBackend(LoadedModels models, GrammarCache grammars) {
        this.models = models;
        this.grammars = grammars;
        this.grammarSweeper = Thread.ofVirtual().name("hearth-grammar-sweeper").start(() -> {
            try {
                while (true) {
                    Thread.sleep(GrammarCache.IDLE.toMillis() / 4);
                    grammars.dropIdle();
                }
            } catch (InterruptedException closed) {
                // the backend closed
            }
        });
    }

    /** Adds a loaded model; its name must be new. It stays until a request sets its keep-alive. */
    public void add(LoadedModel model) {
        models.add(model);
    }

    @Override
    public List<ModelInfo> models() {
        return models.list().stream().map(LoadedModel::info).toList();
    }

    @Override
    public List<ModelState> modelStates() {
        return models.states();
    }

    /** Ends every generation in flight on every model with an error naming {@code reason} (shutdown's grace is over). */
    public void abortAll(String reason) {
        models.list().forEach(m -> m.engine().abort(reason));
    }

    /** A model named at start is loading: listed as such, its requests get a 503 until it is added or failed. */
    public void starting(String name) {
        models.starting(name);
    }

    /** A model named at start failed to load: listed as failed with {@code reason}; the others keep serving. */
    public void failed(String name, String reason) {
        models.failed(name, reason);
    }

    @Override
    public Optional<ModelInfo> model(String name) {
        return models.find(name).map(LoadedModel::info);
    }

    @Override
    public Optional<Instant> expiresAt(String model) {
        return models.expiresAt(model);
    }

    @Override
    public ModelInfo touch(String model, Duration keepAlive) {
        return touch(model, keepAlive, PullPermission.ALLOWED);
    }

    @Override
    public ModelInfo touch(String model, Duration keepAlive, PullPermission pull) {
        try (LoadedModels.Lease lease = models.acquire(model, keepAlive, pull)) {
            return lease.model().info();
        }
    }

    @Override
    public Generation generate(GenerationSpec spec) {
        return generate(spec, Scheduling.DEFAULT, PullPermission.ALLOWED);
    }

    @Override
    public Generation generate(GenerationSpec spec, Scheduling scheduling, PullPermission pull) {
        try (LoadedModels.Lease lease = models.acquire(spec.model(), spec.keepAlive(), pull)) {
            return generate(spec, scheduling, lease.model());
        }
    }

    private Generation generate(GenerationSpec spec, Scheduling scheduling, LoadedModel model) {
        ModelText text = model.text();
        List<Map<String, Object>> tools = offeredTools(spec);
        int[] prompt = spec.isChat() ? text.encodeChat(spec.messages(), tools) : text.encodePrompt(spec.prompt());
        if (prompt.length == 0) {
            throw new InvalidRequestException(spec.isChat() ? "messages" : "prompt", "the prompt is empty (0 tokens)");
        }
        Engine engine = model.engine();
        int room = Math.max(1, engine.contextLength() - prompt.length);
        int maxTokens = spec.maxTokens() == null ? room : Math.min(spec.maxTokens(), room);
        Supplier<dev.hearth.sampling.TokenSampler> sampler = SamplerFactory.forSettings(spec.sampling(),
                engine.vocabularySize());
        boolean opensThought = spec.isChat() && promptTail(text, prompt).stripTrailing().endsWith("<think>");
        dev.hearth.grammar.Grammar grammar = outputGrammar(spec, text, tools, opensThought);
        if (grammar != null) {
            // the output is constrained: each sequence gets a matcher that masks tokens the grammar cannot take
            dev.hearth.grammar.CompiledGrammar compiled = compiled(grammar, text.grammarVocabulary());
            Supplier<dev.hearth.sampling.TokenSampler> free = sampler;
            sampler = () -> new dev.hearth.sampling.GrammarSampler(free.get(),
                    new dev.hearth.grammar.GrammarMatcher(compiled));
        }
        GenerationRequest request = new GenerationRequest(prompt, maxTokens, text.stopTokenIds(), spec.stop(),
                sampler, text::newDecoder, scheduling);
        List<GenerationHandle> handles = new ArrayList<>(spec.choices());
        try {
            for (int i = 0; i < spec.choices(); i++) {
                handles.add(engine.submit(request));
            }
        } catch (RuntimeException e) {
            handles.forEach(GenerationHandle::cancel);
            throw e;
        }
        Supplier<ChatOutputParser> parsers = null;
        if (spec.isChat()) {
            Set<String> names = toolNames(tools);
            ChatOutputFormat format = text.outputFormat();
            parsers = () -> format.newParser(names, opensThought ? "<think>" : "");
        }
        return new Generation(model.info().name(), prompt.length, handles, text::tokenText, parsers);
    }

    /** The compiled form of {@code grammar} for {@code vocabulary}, from the cache or built now. */
    dev.hearth.grammar.CompiledGrammar compiled(dev.hearth.grammar.Grammar grammar,
            dev.hearth.grammar.TokenVocabulary vocabulary) {
        return grammars.compiled(grammar, vocabulary);
    }

    /**
     * The grammar of the answer: the request's own ({@code response_format}, {@code grammar}), or, when tools are
     * offered to a model whose call markup is known, the calls' grammar (see {@link ToolCallGrammar}): calls only for
     * {@code required} or a named function (the request's grammar is then for content that cannot come), else free
     * text (or the request's grammar) until a call opens. Models that cannot be constrained are told by the template
     * alone.
     */
    static dev.hearth.grammar.Grammar outputGrammar(GenerationSpec spec, ModelText text,
            List<Map<String, Object>> tools, boolean opensThought) {
        ToolChoice.Mode mode = spec.toolChoice().mode();
        ChatOutputFormat format = text.outputFormat();
        if (!spec.isChat() || tools.isEmpty() || mode == ToolChoice.Mode.NONE
                || format.toolCalls() == ToolCallFormat.NONE || !constrainable(text)) {
            return spec.grammar();
        }
        try {
            return ToolCallGrammar.build(format.toolCalls(), tools, mode != ToolChoice.Mode.AUTO, format.reasoning(),
                    opensThought, spec.grammar());
        } catch (dev.hearth.grammar.GrammarException e) {
            throw new InvalidRequestException("tools", e.getMessage());
        }
    }

    /** Whether the model's sampling can be constrained (its text side has a grammar vocabulary). */
    private static boolean constrainable(ModelText text) {
        try {
            return text.grammarVocabulary() != null;
        } catch (UnsupportedFeatureException e) {
            return false;
        }
    }

    /** The tools the template sees: none for {@code tool_choice: none}, only the named one for a named function. */
    static List<Map<String, Object>> offeredTools(GenerationSpec spec) {
        ToolChoice choice = spec.toolChoice();
        return switch (choice.mode()) {
            case NONE -> List.of();
            case AUTO, REQUIRED -> spec.tools();
            case FUNCTION -> {
                List<Map<String, Object>> named = spec.tools().stream()
                        .filter(t -> choice.function().equals(toolName(t))).toList();
                if (named.isEmpty()) {
                    throw new InvalidRequestException("tool_choice", "'tool_choice' names the function '"
                            + choice.function() + "', which is not among 'tools'");
                }
                yield named;
            }
        };
    }

    private static Set<String> toolNames(List<Map<String, Object>> tools) {
        Set<String> names = new HashSet<>();
        for (Map<String, Object> tool : tools) {
            String name = toolName(tool);
            if (name != null) {
                names.add(name);
            }
        }
        return names;
    }

    private static String toolName(Map<String, Object> tool) {
        return tool.get("function") instanceof Map<?, ?> f && f.get("name") instanceof String name ? name : null;
    }

    /** The text of the prompt's last few tokens (does the template open the model's thought for it?). */
    private static String promptTail(ModelText text, int[] prompt) {
        StringBuilder sb = new StringBuilder();
        for (int i = Math.max(0, prompt.length - 4); i < prompt.length; i++) {
            sb.append(text.tokenText(prompt[i]));
        }
        return sb.toString();
    }

    @Override
    public List<float[]> embed(String model, List<String> inputs) {
        return embedInputs(model, inputs.stream().map(EmbeddingInput::of).toList()).vectors();
    }

    @Override
    public EmbeddingResult embedInputs(String name, List<EmbeddingInput> inputs) {
        return embedInputs(name, inputs, PullPermission.ALLOWED);
    }

    @Override
    public EmbeddingResult embedInputs(String name, List<EmbeddingInput> inputs, PullPermission pull) {
        try (LoadedModels.Lease lease = models.acquire(name, null, pull)) {
            return embed(name, inputs, lease.model());
        }
    }

    private static EmbeddingResult embed(String name, List<EmbeddingInput> inputs, LoadedModel model) {
        List<float[]> vectors = new ArrayList<>(inputs.size());
        int tokens = 0;
        for (int i = 0; i < inputs.size(); i++) {
            EmbeddingInput input = inputs.get(i);
            int[] ids = input.ids() != null ? input.ids() : model.text().encodePrompt(input.text());
            if (ids.length == 0) {
                throw new InvalidRequestException("input[" + i + "]", "input " + i + " is empty (0 tokens)");
            }
            tokens += ids.length;
            try {
                vectors.add(model.engine().embed(ids));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while embedding", e);
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException("input[" + i + "]", e.getMessage());
            } catch (UnsupportedOperationException e) {
                throw new UnsupportedFeatureException("the model '" + name + "' cannot compute embeddings: "
                        + e.getMessage());
            }
        }
        return new EmbeddingResult(model.info().name(), vectors, tokens);
    }

    @Override
    public Optional<dev.hearth.engine.EngineCounters> counters(String name) {
        return models.find(name == null ? "" : name).map(m -> m.engine().counters());
    }

    @Override
    public LoadStatus load(String name) {
        Optional<LoadedModel> model = models.find(name == null ? "" : name);
        if (model.isEmpty()) {  // unloaded since the caller listed it (keep-alive): nothing running
            return new LoadStatus(0, 0, 0, 0, 0);
        }
        Engine engine = model.get().engine();
        int running = engine.runningCount();
        return new LoadStatus(running, Math.max(0, engine.queuedCount() - running), engine.maxSequences(),
                engine.preemptions(), engine.cachedPromptTokens(), engine.kvBlocksInUse());
    }

    @Override
    public void close() {
        grammarSweeper.interrupt();
        models.close();
    }
}
