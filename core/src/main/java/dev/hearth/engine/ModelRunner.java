package dev.hearth.engine;

import dev.hearth.kv.BlockAllocator;

/**
 * What the engine needs from a loaded model: a batched forward over a step's tokens, with keys and values kept in a
 * pool of KV blocks. The scheduler allocates the blocks ({@link #kvBlocks()}) and hands each row's block table in
 * the {@link StepBatch}; the runner stores and reads keys and values through it.
 * Implemented over the real model by the local backend and by fakes in scheduler tests.
 */
public interface ModelRunner extends AutoCloseable {
    int vocabularySize();

    /** KV slots: the most sequences that can be running at once. */
    int maxSequences();

    /** Positions per slot (the context size per sequence). */
    int contextLength();

    /** The most tokens one forward call takes. */
    int maxBatchTokens();

    /** The KV block pool's bookkeeping; block ids index the runner's KV storage. Engine thread only. */
    BlockAllocator kvBlocks();

    /**
     * Why this runner's model can no longer be trusted, found outside a step (a background check of its weights), or
     * null. The engine reports it as its failure.
     */
    default String fault() {
        return null;
    }

    /** Bytes of the KV pool's keys and values, for reports; 0 where not known. */
    default long kvCacheBytes() {
        return 0;
    }

    /**
     * Runs one step. Rows are positions of one or more sequences (slots); for every row with
     * {@code plan.needsLogits(row)}, in row order, writes vocabularySize() logits to {@code logits}.
     */
    void forward(StepBatch plan, float[] logits);

    /**
     * The array this runner's forward passes write their logits into anyway (rows of vocabularySize, at least
     * min(maxBatchTokens, maxSequences) of them), for the engine to pass to {@link #forward} and read in place: one
     * copy of every step's logits fewer (64 rows of a 152k vocabulary are 39 MB a step); null where there is none.
     */
    default float[] logitsArray() {
        return null;
    }

    /** The slot's sequence finished or was cancelled (its blocks were already given back to {@link #kvBlocks()}). */
    void releaseSlot(int slot);

    /**
     * The embedding of a token sequence (mean-pooled, L2-normalised final hidden states), computed apart from the
     * KV blocks of running sequences. Engine thread only.
     *
     * @throws UnsupportedOperationException where the runner cannot
     */
    default float[] embed(int[] ids) {
        throw new UnsupportedOperationException("this model runner does not compute embeddings");
    }

    /** Where the model runs, one line ("all 32 layers on vulkan:0 (...)", or the CPU and why). */
    default String placement() {
        return "cpu";
    }

    @Override
    default void close() {}
}
