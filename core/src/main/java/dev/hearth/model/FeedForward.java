package dev.hearth.model;

import dev.hearth.tensor.WeightMatrix;

/** A layer's feed-forward block: one SwiGLU MLP, or a routed mixture of SwiGLU experts. */
public sealed interface FeedForward {
    /** down(silu(gate(x)) * up(x)); gate, up: [ffn, dim], down: [dim, ffn]. */
    record Dense(WeightMatrix gate, WeightMatrix up, WeightMatrix down) implements FeedForward {}

    /**
     * Mixtral-style experts: router [experts, dim]; softmax over all experts, keep the top k, renormalize their
     * weights to sum 1, and sum the chosen experts' outputs with those weights.
     */
    record Experts(WeightMatrix router, WeightMatrix[] gate, WeightMatrix[] up, WeightMatrix[] down)
            implements FeedForward {}
}
