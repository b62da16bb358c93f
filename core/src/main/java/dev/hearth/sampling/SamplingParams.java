package dev.hearth.sampling;

import java.util.Map;

/**
 * How to turn logits into a token. Validated on construction; every message names the field.
 *
 * @param temperature       0 means greedy (argmax, lowest id on ties); otherwise logits are divided by it
 * @param topK              keep the k most likely tokens; 0 disables
 * @param topP              nucleus: keep the smallest set whose probability reaches p; 1 disables
 * @param minP              drop tokens whose probability is below minP times the top probability; 0 disables
 * @param repetitionPenalty divide positive (multiply negative) logits of recent tokens by it; 1 disables
 * @param presencePenalty   subtract from the logit of every recent token; 0 disables
 * @param frequencyPenalty  subtract, per occurrence, from the logit of recent tokens; 0 disables
 * @param penaltyWindow     how many of the last tokens the penalties look at; 0 disables the penalties
 * @param logitBias         added to the logit of the given token ids (negative infinity bans a token)
 * @param seed              random seed for reproducible runs; null picks a random seed
 */
public record SamplingParams(
        float temperature,
        int topK,
        float topP,
        float minP,
        float repetitionPenalty,
        float presencePenalty,
        float frequencyPenalty,
        int penaltyWindow,
        Map<Integer, Float> logitBias,
        Long seed) {

    public SamplingParams {
        requireFinite("temperature", temperature);
        if (temperature < 0) {
            throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("topK must be >= 0 (0 disables it), got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
        }
        if (!(minP >= 0 && minP <= 1)) {
            throw new IllegalArgumentException("minP must be in [0, 1], got " + minP);
        }
        requireFinite("repetitionPenalty", repetitionPenalty);
        if (repetitionPenalty <= 0) {
            throw new IllegalArgumentException("repetitionPenalty must be > 0 (1 disables it), got " + repetitionPenalty);
        }
        requireRange("presencePenalty", presencePenalty);
        requireRange("frequencyPenalty", frequencyPenalty);
        if (penaltyWindow < 0) {
            throw new IllegalArgumentException("penaltyWindow must be >= 0 (0 disables the penalties), got " + penaltyWindow);
        }
        logitBias = logitBias == null ? Map.of() : Map.copyOf(logitBias);
        for (Map.Entry<Integer, Float> e : logitBias.entrySet()) {
            if (e.getKey() < 0) {
                throw new IllegalArgumentException("logitBias token id must be >= 0, got " + e.getKey());
            }
            float bias = e.getValue();
            if (Float.isNaN(bias) || bias == Float.POSITIVE_INFINITY) {
                throw new IllegalArgumentException("logitBias for token " + e.getKey() + " must be a number or -inf, got " + bias);
            }
        }
    }

    /** llama.cpp-like defaults: temperature 0.8, top-k 40, top-p 0.95, min-p 0.05, no penalties, random seed. */
    public static SamplingParams defaults() {
        return new SamplingParams(0.8f, 40, 0.95f, 0.05f, 1f, 0f, 0f, 64, Map.of(), null);
    }

    /** Argmax decoding, nothing else. */
    public static SamplingParams greedy() {
        return new SamplingParams(0f, 0, 1f, 0f, 1f, 0f, 0f, 0, Map.of(), null);
    }

    public boolean isGreedy() {
        return temperature == 0f;
    }

    public boolean penaltiesEnabled() {
        return penaltyWindow > 0 && (repetitionPenalty != 1f || presencePenalty != 0f || frequencyPenalty != 0f);
    }

    public SamplingParams withSeed(Long newSeed) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, presencePenalty,
                frequencyPenalty, penaltyWindow, logitBias, newSeed);
    }

    public SamplingParams withTemperature(float newTemperature) {
        return new SamplingParams(newTemperature, topK, topP, minP, repetitionPenalty, presencePenalty,
                frequencyPenalty, penaltyWindow, logitBias, seed);
    }

    private static void requireFinite(String field, float value) {
        if (!Float.isFinite(value)) {
            throw new IllegalArgumentException(field + " must be a finite number, got " + value);
        }
    }

    private static void requireRange(String field, float value) {
        requireFinite(field, value);
        if (value < -2f || value > 2f) {
            throw new IllegalArgumentException(field + " must be in [-2, 2], got " + value);
        }
    }
}
