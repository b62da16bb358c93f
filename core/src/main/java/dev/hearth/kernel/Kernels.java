package dev.hearth.kernel;

import dev.hearth.tensor.WeightMatrix;

/**
 * The one dispatch point for weight kernels: matmul of a (quantized) weight matrix with float activations, split
 * over the compute pool by rows; weights are read once per call for all tokens of the batch.
 */
public final class Kernels {
    private Kernels() {}

    /**
     * out[t * w.rows() + r] = dot(row r of w, x[t * w.cols() .. (t + 1) * w.cols())) for t in [0, numTokens).
     */
    public static void matmul(ComputePool pool, WeightMatrix w, float[] x, int numTokens, float[] out) {
        int cols = w.cols();
        int rows = w.rows();
        pool.parallelFor(rows, 16, (start, end) -> {
            float[] scratch = new float[cols];
            for (int r = start; r < end; r++) {
                ScalarKernels.dequantizeRow(w, r, scratch, 0);
                for (int t = 0; t < numTokens; t++) {
                    float sum = 0;
                    int xo = t * cols;
                    for (int i = 0; i < cols; i++) {
                        sum += scratch[i] * x[xo + i];
                    }
                    out[t * rows + r] = sum;
                }
            }
        });
    }

    /** Dequantizes row {@code row} of w (an embedding lookup) into out[outOffset..]. */
    public static void dequantizeRow(WeightMatrix w, int row, float[] out, int outOffset) {
        ScalarKernels.dequantizeRow(w, row, out, outOffset);
    }
}
