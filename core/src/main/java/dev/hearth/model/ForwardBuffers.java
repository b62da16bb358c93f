package dev.hearth.model;

/** Activation buffers of the forward pass, sized at load for the largest batch and reused by every call. */
final class ForwardBuffers {
    final float[] x;          // [batch, dim] residual stream
    final float[] xNorm;      // [batch, dim] normalized input of a sub-block
    final float[] blockOut;   // [batch, dim] output of a sub-block, before the residual add
    final float[] q;          // [batch, queryDim]
    final float[] k;          // [batch, kvDim]
    final float[] v;          // [batch, kvDim]
    final float[] attention;  // [batch, queryDim]
    final float[] hidden;     // [batch, ffn] gate, then silu(gate) * up
    final float[] hiddenUp;   // [batch, ffn]
    final float[] cos;        // [batch, rotaryDims / 2]
    final float[] sin;        // [batch, rotaryDims / 2]
    final float[] logitInput; // [batch, dim] final-normed rows that need logits
    // mixture of experts
    final float[] routerLogits;  // [batch, experts]
    final int[] chosenExperts;   // [batch, expertsUsed]
    final float[] chosenWeights; // [batch, expertsUsed]
    final float[] expertIn;      // [batch, dim] rows routed to one expert
    final float[] expertOut;     // [batch, dim]
    final int[] expertRows;      // [batch] batch row of each routed row
    final float[] expertWeights; // [batch]
    // attention scratch, one slot per compute thread
    float[][] scores;         // [threads][contextLength]
    final float[][] f16Row;   // [threads][headSize]

    ForwardBuffers(ModelConfig c, int batch, int threads) {
        x = new float[batch * c.dim()];
        xNorm = new float[batch * c.dim()];
        blockOut = new float[batch * c.dim()];
        q = new float[batch * c.queryDim()];
        k = new float[batch * c.kvDim()];
        v = new float[batch * c.kvDim()];
        attention = new float[batch * c.queryDim()];
        hidden = new float[batch * c.ffnLength()];
        hiddenUp = new float[batch * c.ffnLength()];
        cos = new float[batch * c.rotaryDims() / 2];
        sin = new float[batch * c.rotaryDims() / 2];
        logitInput = new float[batch * c.dim()];
        int experts = c.expertCount();
        int used = c.expertsUsed();
        routerLogits = new float[batch * experts];
        chosenExperts = new int[batch * used];
        chosenWeights = new float[batch * used];
        expertIn = new float[experts > 0 ? batch * c.dim() : 0];
        expertOut = new float[experts > 0 ? batch * c.dim() : 0];
        expertRows = new int[batch];
        expertWeights = new float[batch];
        scores = new float[threads][0];
        f16Row = new float[threads][c.headSize()];
    }

    /** Grows the attention score rows to a KV cache's context length (once per cache size, not per token). */
    void ensureScores(int contextLength) {
        if (scores[0].length < contextLength) {
            for (int i = 0; i < scores.length; i++) {
                scores[i] = new float[contextLength];
            }
        }
    }
}
