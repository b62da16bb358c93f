package dev.hearth.server.backend;

import java.util.Map;

/**
 * Sampling as the APIs spell it, validated by the HTTP layer. Null means "the model's default".
 *
 * @param logitBias token id to bias (OpenAI: -100..100)
 * @param topLogprobs alternatives to report per token when {@code logprobs}
 */
public record SamplingSettings(Double temperature, Double topP, Integer topK, Double minP, Double repeatPenalty,
        Double presencePenalty, Double frequencyPenalty, Long seed, Map<Integer, Double> logitBias,
        boolean logprobs, int topLogprobs) {

    public SamplingSettings {
        logitBias = logitBias == null ? Map.of() : Map.copyOf(logitBias);
    }

    public static SamplingSettings defaults() {
        return new SamplingSettings(null, null, null, null, null, null, null, null, Map.of(), false, 0);
    }

    /** Greedy decoding: temperature 0. */
    public static SamplingSettings greedy() {
        return new SamplingSettings(0.0, null, null, null, null, null, null, null, Map.of(), false, 0);
    }
}
