package dev.hearth.engine;

/**
 * What the engine needs from a loaded model: a batched forward over a step's tokens, with KV kept per slot.
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

    /**
     * Runs one step. Rows are positions of one or more sequences (slots); for every row with
     * {@code plan.needsLogits(row)}, in row order, writes vocabularySize() logits to {@code logits}.
     */
    void forward(StepBatch plan, float[] logits);

    /** Forgets the KV of a slot (its sequence finished or was cancelled). */
    void releaseSlot(int slot);

    @Override
    default void close() {}
}
