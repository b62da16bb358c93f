package dev.hearth.sampling;

import dev.hearth.kernel.VectorOps;
import java.util.List;

/** Picks the next token of one sequence from its logits row. One instance per sequence (it may keep state). */
public interface TokenSampler {
    /**
     * @param logits the row's logits at [offset, offset + vocabularySize); may be modified in place
     * @param history prompt and generated ids so far, [0, historyLength)
     */
    int sample(float[] logits, int offset, int vocabularySize, int[] history, int historyLength);

    /** Log-probability of the last picked token under the unmodified distribution (NaN when not computed). */
    default float lastLogprob() {
        return Float.NaN;
    }

    /** Top alternatives of the last pick (empty unless asked for). */
    default List<TopLogprob> lastTopLogprobs() {
        return List.of();
    }

    /** Greedy: the highest logit, the lowest id on ties. */
    static TokenSampler greedy() {
        return (logits, offset, n, history, len) -> VectorOps.argmax(logits, offset, n);
    }
}
