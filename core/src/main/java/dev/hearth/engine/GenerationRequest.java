package dev.hearth.engine;

import dev.hearth.sampling.TokenSampler;
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
 * @param scheduling the agent, priority class and fair-share weight ({@link Scheduling#DEFAULT} when unset)
 */
public record GenerationRequest(int[] promptIds, int maxTokens, Set<Integer> stopTokenIds, List<String> stopStrings,
        Supplier<TokenSampler> sampler, Supplier<TextDecoder> decoder, Scheduling scheduling) {

    /** A request with the default scheduling (anonymous, normal priority). */
    public GenerationRequest(int[] promptIds, int maxTokens, Set<Integer> stopTokenIds, List<String> stopStrings,
            Supplier<TokenSampler> sampler, Supplier<TextDecoder> decoder) {
        this(promptIds, maxTokens, stopTokenIds, stopStrings, sampler, decoder, Scheduling.DEFAULT);
    }

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
        Objects.requireNonNull(scheduling, "scheduling");
    }

    /** This request for another agent or priority. */
    public GenerationRequest withScheduling(Scheduling scheduling) {
        return new GenerationRequest(promptIds, maxTokens, stopTokenIds, stopStrings, sampler, decoder, scheduling);
    }

    /** A greedy request without text (ids only), for scripts and tests. */
    public static GenerationRequest greedyIds(int[] promptIds, int maxTokens, Set<Integer> stopTokenIds) {
        return new GenerationRequest(promptIds, maxTokens, stopTokenIds, List.of(), TokenSampler::greedy,
                () -> id -> "");
    }
}
