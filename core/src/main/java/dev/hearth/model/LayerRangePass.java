package dev.hearth.model;

import dev.hearth.kv.KvCache;

/**
 * A device's part of a forward pass: the layers [{@link #firstLayer()}, numLayers) of a model and its output head.
 * With first layer 0 it is the whole pass ({@link #forward(Batch, KvCache, Logits)}: tokens in, logits out); above 0 it
 * continues from the residual stream that the CPU's layers [0, firstLayer) left ({@link SplitForwardPass}), and the
 * cache's block tables are shared with them.
 */
public interface LayerRangePass extends ForwardPass {
    /** The first layer this pass runs; it runs every layer after it and the output head. */
    int firstLayer();

    /**
     * Runs layers [firstLayer, numLayers) and the output head on the batch whose residual stream after layer
     * {@code firstLayer - 1} is {@code x} ({@code [batch.size(), dim]}); null when the first layer is 0 (the pass
     * embeds the tokens itself).
     */
    void forward(Batch batch, float[] x, KvCache kv, Logits logits);

    @Override
    default void forward(Batch batch, KvCache kv, Logits logits) {
        forward(batch, null, kv, logits);
    }
}
