package dev.hearth.model;

import dev.hearth.kernel.VectorOps;
import dev.hearth.kv.KvCache;
import dev.hearth.kv.KvPrecision;

/**
 * Text embeddings from a generative model: the prompt runs through the forward pass (in chunks of the model's
 * batch size, no logits), and the final-normed hidden states of all its positions are mean-pooled and
 * L2-normalised. Keeps its own one-sequence F32 KV cache, grown to the longest input seen. One caller at a time.
 */
final class Embedder {
    private final ModelConfig config;
    private final Transformer transformer;
    private final Batch batch;
    private final Logits noLogits;
    private final float[] hidden;  // [maxBatch, dim]
    private KvCache kv;

    Embedder(ModelConfig config, Transformer transformer) {
        this.config = config;
        this.transformer = transformer;
        this.batch = new Batch(transformer.maxBatch());
        this.noLogits = new Logits(1, config.vocabSize());
        this.hidden = new float[transformer.maxBatch() * config.dim()];
    }

    float[] embed(int[] ids) {
        if (ids.length == 0) {
            throw new IllegalArgumentException("cannot embed an empty input (0 tokens)");
        }
        if (ids.length > config.contextLength()) {
            throw new IllegalArgumentException("the input has " + ids.length + " tokens, more than the model's context"
                    + " length " + config.contextLength());
        }
        if (kv == null || kv.contextLength() < ids.length) {
            close();
            int positions = Math.min(config.contextLength(), Math.max(ids.length, 512));
            kv = new KvCache(config.numLayers(), config.kvDim(), positions, 1, KvPrecision.F32);
        }
        int dim = config.dim();
        float[] sum = new float[dim];  // [dim]
        try {
            for (int start = 0; start < ids.length; start += batch.capacity()) {
                int n = Math.min(batch.capacity(), ids.length - start);
                batch.clear();
                for (int t = 0; t < n; t++) {
                    batch.add(ids[start + t], start + t, 0, false);
                }
                transformer.forward(batch, kv, noLogits, hidden);  // hidden: [n, dim]
                for (int t = 0; t < n; t++) {
                    VectorOps.addInPlace(sum, 0, hidden, t * dim, dim);
                }
            }
        } finally {
            kv.clear(0);
        }
        VectorOps.scale(sum, 0, 1f / ids.length, dim);  // mean
        float norm = (float) Math.sqrt(VectorOps.dot(sum, 0, sum, 0, dim));
        if (norm > 0) {
            VectorOps.scale(sum, 0, 1f / norm, dim);
        }
        return sum;
    }

    /** Unmaps the KV cache kept between calls (a later call makes a new one). */
    void close() {
        if (kv != null) {
            kv.close();
            kv = null;
        }
    }
}
