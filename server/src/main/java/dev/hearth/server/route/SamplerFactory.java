package dev.hearth.server.route;

import dev.hearth.sampling.ChainSampler;
import dev.hearth.sampling.SamplingParams;
import dev.hearth.sampling.TokenSampler;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Turns API sampling settings into the engine's per-sequence {@link ChainSampler} factory. Settings are
 * checked here, on the request's thread, so that a bad value is a 400 and never reaches the engine thread.
 * Unset fields take llama.cpp's defaults ({@link SamplingParams#defaults()}).
 */
final class SamplerFactory {
    /** llama.cpp's {@code repeat_last_n}: how far back the penalties look. */
    static final int PENALTY_WINDOW = 64;

    private SamplerFactory() {}

    static Supplier<TokenSampler> forSettings(SamplingSettings s, int vocabularySize) {
        SamplingParams d = SamplingParams.defaults();
        Map<Integer, Float> bias = new HashMap<>();
        for (Map.Entry<Integer, Double> e : s.logitBias().entrySet()) {
            if (e.getKey() >= vocabularySize) {
                throw new InvalidRequestException("logit_bias." + e.getKey(), "logit_bias token id " + e.getKey()
                        + " is outside the vocabulary [0, " + vocabularySize + ")");
            }
            // OpenAI: -100 effectively bans a token
            bias.put(e.getKey(), e.getValue() <= -100 ? Float.NEGATIVE_INFINITY : e.getValue().floatValue());
        }
        SamplingParams params;
        try {
            params = new SamplingParams(
                    s.temperature() == null ? d.temperature() : s.temperature().floatValue(),
                    s.topK() == null ? d.topK() : s.topK(),
                    s.topP() == null ? d.topP() : (float) Math.max(s.topP(), Float.MIN_VALUE),
                    s.minP() == null ? d.minP() : s.minP().floatValue(),
                    s.repeatPenalty() == null ? d.repetitionPenalty() : s.repeatPenalty().floatValue(),
                    s.presencePenalty() == null ? d.presencePenalty() : s.presencePenalty().floatValue(),
                    s.frequencyPenalty() == null ? d.frequencyPenalty() : s.frequencyPenalty().floatValue(),
                    PENALTY_WINDOW, bias, s.seed());
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(null, e.getMessage());
        }
        return () -> new ChainSampler(params, vocabularySize, s.logprobs(), s.topLogprobs());
    }
}
