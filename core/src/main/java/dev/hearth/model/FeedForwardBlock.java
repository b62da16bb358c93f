package dev.hearth.model;

import dev.hearth.kernel.Activations;
import dev.hearth.kernel.ComputePool;
import dev.hearth.kernel.Kernels;
import dev.hearth.kernel.Softmax;
import dev.hearth.kernel.VectorOps;

/** The feed-forward sub-block: xNorm [n, dim] in, blockOut [n, dim] out. Dense SwiGLU or routed experts. */
final class FeedForwardBlock {
    private final ModelConfig c;
    private final ComputePool pool;
    private final ForwardBuffers b;

    FeedForwardBlock(ModelConfig config, ComputePool pool, ForwardBuffers buffers) {
        this.c = config;
        this.pool = pool;
        this.b = buffers;
    }

    void apply(FeedForward ffn, int n) {
        switch (ffn) {
            case FeedForward.Dense d -> swiglu(d.gate(), d.up(), d.down(), b.xNorm, n, b.blockOut);
            case FeedForward.Experts e -> experts(e, n);
        }
    }

    /** out = down(silu(gate(in)) * up(in)) for n rows. */
    private void swiglu(dev.hearth.tensor.WeightMatrix gate, dev.hearth.tensor.WeightMatrix up,
            dev.hearth.tensor.WeightMatrix down, float[] in, int n, float[] out) {
        Kernels.matmul(pool, gate, b.hidden, up, b.hiddenUp, in, n);  // both [n, ffn], in one parallel pass
        Activations.swiglu(b.hidden, b.hiddenUp, n * c.ffnLength());  // hidden = silu(hidden) * hiddenUp
        Kernels.matmul(pool, down, b.hidden, n, out);      // [n, dim]
    }

    private void experts(FeedForward.Experts e, int n) {
        int dim = c.dim();
        int experts = c.expertCount();
        int used = c.expertsUsed();
        Kernels.matmul(pool, e.router(), b.xNorm, n, b.routerLogits);  // [n, experts]
        for (int t = 0; t < n; t++) {
            Softmax.softmax(b.routerLogits, t * experts, experts);      // over all experts
            VectorOps.topK(b.routerLogits, t * experts, experts, used, b.chosenExperts, t * used, b.chosenWeights, t * used);
            VectorOps.normalizeSum(b.chosenWeights, t * used, used);   // the k weights sum to 1
        }
        VectorOps.zero(b.blockOut, 0, n * dim);
        for (int expert = 0; expert < experts; expert++) {
            int m = 0;
            for (int t = 0; t < n; t++) {
                for (int j = 0; j < used; j++) {
                    if (b.chosenExperts[t * used + j] == expert) {
                        System.arraycopy(b.xNorm, t * dim, b.expertIn, m * dim, dim);  // expertIn: [m, dim]
                        b.expertRows[m] = t;
                        b.expertWeights[m++] = b.chosenWeights[t * used + j];
                    }
                }
            }
            if (m == 0) {
                continue;
            }
            swiglu(e.gate()[expert], e.up()[expert], e.down()[expert], b.expertIn, m, b.expertOut);  // [m, dim]
            for (int j = 0; j < m; j++) {
                VectorOps.axpy(b.expertWeights[j], b.expertOut, j * dim, b.blockOut, b.expertRows[j] * dim, dim);
            }
        }
    }
}
