package dev.hearth.server.backend;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the HTTP layer calls: generation, embeddings and model listing. Implemented by {@code local.LocalBackend} over
 * loaded engines; a remote upstream or a router can implement it too.
 */
public interface Backend extends AutoCloseable {

    /** Loaded models, in load order. */
    List<ModelInfo> models();

    Optional<ModelInfo> model(String name);

    /** Every model this backend knows with its readiness (for {@code /health}); by default the listed ones, ready. */
    default List<ModelState> modelStates() {
        return models().stream().map(m -> ModelState.ready(m.name())).toList();
    }

    /**
     * Starts {@code spec.choices()} generations. Throws {@link UnknownModelException},
     * {@link dev.hearth.engine.ContextLengthExceededException} or
     * {@link dev.hearth.engine.EngineOverloadedException}; never returns a partial result.
     */
    Generation generate(GenerationSpec spec);

    /**
     * As {@link #generate(GenerationSpec)}, for a caller the engine schedules by (agent, priority, weight) and who may
     * or may not make this backend download the model it names.
     */
    default Generation generate(GenerationSpec spec, dev.hearth.engine.Scheduling scheduling, PullPermission pull) {
        return generate(spec);
    }

    /** One embedding vector per input; {@link UnsupportedFeatureException} where the model cannot. */
    List<float[]> embed(String model, List<String> inputs);

    /**
     * One embedding per input (texts or token ids) with the token count. The default takes texts only and reports
     * no token count.
     */
    default EmbeddingResult embedInputs(String model, List<EmbeddingInput> inputs) {
        if (inputs.stream().anyMatch(i -> i.text() == null)) {
            throw new UnsupportedFeatureException("this backend embeds texts only, not token ids");
        }
        return new EmbeddingResult(model, embed(model, inputs.stream().map(EmbeddingInput::text).toList()), 0);
    }

    /** As {@link #embedInputs(String, List)}, for a caller who may or may not make this backend download the model. */
    default EmbeddingResult embedInputs(String model, List<EmbeddingInput> inputs, PullPermission pull) {
        return embedInputs(model, inputs);
    }

    /** When the model will be unloaded if it stays idle (for /api/ps); empty: never, or not known. */
    default Optional<Instant> expiresAt(String model) {
        return Optional.empty();
    }

    /**
     * Makes sure the model is loaded (loading it when the backend can) and sets its keep-alive, as an Ollama
     * request without messages does; {@code keepAlive} zero unloads it once idle, null keeps the current one.
     */
    default ModelInfo touch(String model, Duration keepAlive) {
        return model(model).orElseThrow(() -> new UnknownModelException(model));
    }

    /** As {@link #touch(String, Duration)}, for a caller who may or may not make this backend download the model. */
    default ModelInfo touch(String model, Duration keepAlive, PullPermission pull) {
        return touch(model, keepAlive);
    }

    /** The engine's own counters for a loaded model (the dashboard's stats); empty where there is no local engine. */
    default Optional<dev.hearth.engine.EngineCounters> counters(String model) {
        return Optional.empty();
    }

    /** Live load, for metrics and /api/ps. */
    LoadStatus load(String model);

    /**
     * @param waiting submitted, not yet finished, minus running
     * @param preemptions sequences pushed back to wait because KV blocks ran short (since load)
     * @param cachedPromptTokens prompt tokens served from the prefix cache instead of computed (since load)
     * @param kvBlocksInUse KV blocks held by sequences now (free and merely cached blocks excluded)
     */
    record LoadStatus(int running, int waiting, int maxSequences, long preemptions, long cachedPromptTokens,
            int kvBlocksInUse) {
        public LoadStatus(int running, int waiting, int maxSequences, long preemptions, long cachedPromptTokens) {
            this(running, waiting, maxSequences, preemptions, cachedPromptTokens, 0);
        }
    }

    @Override
    default void close() {}
}
