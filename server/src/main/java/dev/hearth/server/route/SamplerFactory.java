package dev.hearth.server.route;

import dev.hearth.engine.GenerationEvent;
import dev.hearth.engine.TokenSampler;
import dev.hearth.sampling.Sampler;
import dev.hearth.sampling.SamplingParams;
import dev.hearth.sampling.TopLogprobs;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Turns API sampling settings into the engine's per-sequence sampler factory over {@link Sampler}. Settings are
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
        int top = s.logprobs() ? s.topLogprobs() : -1;
        return () -> new Adapter(params, top);
    }

    /**
     * One sequence's sampler: copies its logits row into a buffer sized at the first token (the runner's vocabulary),
     * feeds the prompt to the penalties once.
     */
    private static final class Adapter implements TokenSampler {
        private final SamplingParams params;
        private final TopLogprobs logprobs;
        private Sampler sampler;
        private float[] row;

        Adapter(SamplingParams params, int topLogprobs) {
            this.params = params;
            this.logprobs = topLogprobs < 0 ? null : new TopLogprobs(topLogprobs);
        }

        @Override
        public int sample(float[] logits, int offset, int vocabularySize, int[] history, int historyLength) {
            if (sampler == null) {
                sampler = new Sampler(params, vocabularySize);
                row = new float[vocabularySize];
                for (int i = 0; i < historyLength; i++) {
                    sampler.accept(history[i]);
                }
            }
            System.arraycopy(logits, offset, row, 0, vocabularySize);
            int token = sampler.sample(row);
            if (logprobs != null) {
                Sampler.logprobs(row, vocabularySize, token, logprobs);
            }
            return token;
        }

        @Override
        public float lastLogprob() {
            return logprobs == null ? Float.NaN : logprobs.chosenLogprob();
        }

        @Override
        public List<GenerationEvent.TopLogprob> lastTopLogprobs() {
            if (logprobs == null || logprobs.count() == 0) {
                return List.of();
            }
            List<GenerationEvent.TopLogprob> out = new ArrayList<>(logprobs.count());
            for (int r = 0; r < logprobs.count(); r++) {
                out.add(new GenerationEvent.TopLogprob(logprobs.id(r), logprobs.logprob(r)));
            }
            return out;
        }
    }
}
