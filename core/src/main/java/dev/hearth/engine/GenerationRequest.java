package dev.hearth.engine;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * One generation: prompt ids, limits and stop rules, and factories for the per-sequence sampler and text decoder.
 *
 * @param maxTokens most tokens to generate; the context length caps it too (finish reason {@code length})
 * @param stopTokenIds end-of-generation ids (finish reason {@code stop}); not emitted as text
 * @param stopStrings strings that end the generation; held back until resolved, never emitted
 */
public record GenerationRequest(int[] promptIds, int maxTokens, Set<Integer> stopTokenIds, List<String> stopStrings,
        Supplier<TokenSampler> sampler, Supplier<TextDecoder> decoder) {

    public GenerationRequest {
        Objects.requireNonNull(promptIds, "promptIds");
        if (promptIds.length == 0) {
            throw new IllegalArgumentException("the prompt is empty");
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be at least 1, got " + maxTokens);
        }
        stopTokenIds = Set.copyOf(stopTokenIds);
        stopStrings = List.copyOf(stopStrings);
        Objects.requireNonNull(sampler, "sampler");
        Objects.requireNonNull(decoder, "decoder");
    }

    /** A greedy request without text (ids only), for scripts and tests. */
    public static GenerationRequest greedyIds(int[] promptIds, int maxTokens, Set<Integer> stopTokenIds) {
        return new GenerationRequest(promptIds, maxTokens, stopTokenIds, List.of(), TokenSampler::greedy,
                () -> id -> "");
    }
}
