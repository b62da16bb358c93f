package dev.hearth.server.route;

import dev.hearth.engine.Engine;
import dev.hearth.engine.GenerationHandle;
import dev.hearth.engine.GenerationRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Serves models loaded in this process: model name to engine plus text side. Renders the chat template, tokenizes,
 * builds the sampler from the request and submits to the model's engine.
 */
public final class LocalBackend implements Backend {
    private volatile Map<String, LoadedModel> models = Map.of();

    /** Adds a loaded model; its name must be new. */
    public synchronized void add(LoadedModel model) {
        Map<String, LoadedModel> next = new LinkedHashMap<>(models);
        if (next.putIfAbsent(model.info().name(), model) != null) {
            throw new IllegalArgumentException("a model named '" + model.info().name() + "' is already loaded");
        }
        models = next;
    }

    @Override
    public List<ModelInfo> models() {
        return models.values().stream().map(LoadedModel::info).toList();
    }

    @Override
    public Optional<ModelInfo> model(String name) {
        return Optional.ofNullable(models.get(name)).map(LoadedModel::info);
    }

    private LoadedModel require(String name) {
        LoadedModel model = name == null ? null : models.get(name);
        if (model == null) {
            throw new UnknownModelException(name);
        }
        return model;
    }

    @Override
    public Generation generate(GenerationSpec spec) {
        LoadedModel model = require(spec.model());
        ModelText text = model.text();
        int[] prompt = spec.isChat() ? text.encodeChat(spec.messages(), spec.tools()) : text.encodePrompt(spec.prompt());
        if (prompt.length == 0) {
            throw new InvalidRequestException(spec.isChat() ? "messages" : "prompt", "the prompt is empty (0 tokens)");
        }
        Engine engine = model.engine();
        int room = Math.max(1, engine.contextLength() - prompt.length);
        int maxTokens = spec.maxTokens() == null ? room : Math.min(spec.maxTokens(), room);
        GenerationRequest request = new GenerationRequest(prompt, maxTokens, text.stopTokenIds(), spec.stop(),
                SamplerFactory.forSettings(spec.sampling(), engine.vocabularySize()), text::newDecoder);
        List<GenerationHandle> handles = new ArrayList<>(spec.choices());
        try {
            for (int i = 0; i < spec.choices(); i++) {
                handles.add(engine.submit(request));
            }
        } catch (RuntimeException e) {
            handles.forEach(GenerationHandle::cancel);
            throw e;
        }
        return new Generation(model.info().name(), prompt.length, handles, text::tokenText);
    }

    @Override
    public List<float[]> embed(String model, List<String> inputs) {
        require(model);
        throw new UnsupportedFeatureException("embeddings are not supported yet: the model '" + model
                + "' does not expose hidden states to the server");
    }

    @Override
    public LoadStatus load(String name) {
        Engine engine = require(name).engine();
        int running = engine.runningCount();
        return new LoadStatus(running, Math.max(0, engine.queuedCount() - running), engine.maxSequences(),
                engine.preemptions(), engine.cachedPromptTokens());
    }

    @Override
    public synchronized void close() {
        models.values().forEach(LoadedModel::close);
        models = Map.of();
    }
}
