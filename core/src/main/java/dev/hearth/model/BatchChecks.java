package dev.hearth.model;

import dev.hearth.kv.KvCache;
import dev.hearth.kv.KvCacheFullException;

/** The checks every {@link ForwardPass} makes before it touches a batch, with messages that name the row. */
public final class BatchChecks {
    private BatchChecks() {
    }

    public static void validate(ModelConfig c, int maxBatch, Batch batch, KvCache kv, Logits logits) {
        if (batch.size() > maxBatch) {
            throw new IllegalArgumentException("batch has " + batch.size() + " rows, the model was loaded for at most "
                    + maxBatch);
        }
        if (kv.kvDim() != c.kvDim()) {
            throw new IllegalArgumentException("KV cache rows hold " + kv.kvDim() + " values, this model needs "
                    + c.kvDim());
        }
        if (logits.vocabSize() != c.vocabSize()) {
            throw new IllegalArgumentException("Logits rows hold " + logits.vocabSize() + " values, the vocabulary has "
                    + c.vocabSize());
        }
        for (int t = 0; t < batch.size(); t++) {
            int token = batch.token(t);
            if (token < 0 || token >= c.vocabSize()) {
                throw new IllegalArgumentException("token id " + token + " at batch row " + t
                        + " is outside the vocabulary of " + c.vocabSize());
            }
            int seq = batch.sequenceId(t);
            if (seq < 0 || seq >= kv.maxSequences()) {
                throw new IllegalArgumentException("sequence id " + seq + " at batch row " + t
                        + " is outside the KV cache's " + kv.maxSequences() + " sequences");
            }
            int pos = batch.position(t);
            if (pos < 0 || pos >= kv.contextLength()) {
                throw new KvCacheFullException("sequence " + batch.sequenceId(t) + " position " + pos
                        + " exceeds the KV cache context length " + kv.contextLength() + " (raise the context length)");
            }
        }
    }
}
