package dev.hearth.model;

import dev.hearth.kv.KvCache;

/** Feeds a run of tokens of one sequence through the model in chunks of at most the batch capacity. */
public final class PromptFeeder {
    /** Receives the logits of one position: row {@code row} of {@code logits}. */
    @FunctionalInterface
    public interface LogitsSink {
        void accept(int position, Logits logits, int row);
    }

    private PromptFeeder() {}

    /**
     * Feeds tokens[0..) at positions startPosition.. of sequence seq, chunkSize rows per forward call. With
     * allLogits, every position's logits go to the sink; otherwise only the last one's.
     */
    public static void feed(Model model, KvCache kv, Batch batch, Logits logits, int seq, int[] tokens,
            int startPosition, int chunkSize, boolean allLogits, LogitsSink sink) {
        if (chunkSize < 1 || chunkSize > batch.capacity()) {
            throw new IllegalArgumentException("chunk size " + chunkSize + " must lie in [1, " + batch.capacity() + "]");
        }
        for (int start = 0; start < tokens.length; start += chunkSize) {
            int end = Math.min(tokens.length, start + chunkSize);
            batch.clear();
            for (int i = start; i < end; i++) {
                batch.add(tokens[i], startPosition + i, seq, allLogits || i == tokens.length - 1);
            }
            model.forward(batch, kv, logits);
            for (int r = 0; r < logits.rows(); r++) {
                sink.accept(startPosition + start + logits.batchRow(r), logits, r);
            }
        }
    }
}
