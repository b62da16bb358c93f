package dev.hearth.model;

import dev.hearth.tensor.WeightMatrix;

/**
 * One transformer block. Matrices are views over the mapped file; the small 1-D vectors (norms, biases) are copied
 * to float arrays. Optional parts are null: biases outside qwen2, q/k norms outside qwen3.
 */
public record LayerWeights(float[] attentionNorm, WeightMatrix query, WeightMatrix key, WeightMatrix value,
        float[] queryBias, float[] keyBias, float[] valueBias, float[] queryNorm, float[] keyNorm,
        WeightMatrix attentionOutput, float[] ffnNorm, FeedForward feedForward) {}
