package dev.hearth.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** RMSNorm: out = x / sqrt(mean(x^2) + eps) * weight, one row at a time. */
public final class Norms {
    private Norms() {}

    /** Normalizes numRows rows of length n from x into out (out may be x), each scaled by weight[0..n). */
    public static void rmsNormRows(float[] out, float[] x, float[] weight, int numRows, int n, float eps) {
        if (NativeOps.AVAILABLE) {
            NativeOps.rmsNormRows(out, 0, x, 0, weight, numRows, n, eps);
            return;
        }
        for (int r = 0; r < numRows; r++) {
            rmsNorm(out, r * n, x, r * n, weight, n, eps);
        }
    }

    public static void rmsNorm(float[] out, int outOffset, float[] x, int xOffset, float[] weight, int n, float eps) {
        if (NativeOps.AVAILABLE) {
            NativeOps.rmsNormRows(out, outOffset, x, xOffset, weight, 1, n, eps);
            return;
        }
        rmsNormVector(out, outOffset, x, xOffset, weight, n, eps);
    }

    /** The Vector API form of {@link #rmsNorm}, where the native library does not run. */
    static void rmsNormVector(float[] out, int outOffset, float[] x, int xOffset, float[] weight, int n, float eps) {
        var species = VectorOps.SPECIES;
        FloatVector acc = FloatVector.zero(species);
        int i = 0;
        int upper = species.loopBound(n);
        for (; i < upper; i += species.length()) {
            FloatVector v = FloatVector.fromArray(species, x, xOffset + i);
            acc = v.fma(v, acc);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += x[xOffset + i] * x[xOffset + i];
        }
        float scale = (float) (1.0 / Math.sqrt(sum / n + eps));
        i = 0;
        for (; i < upper; i += species.length()) {
            FloatVector.fromArray(species, x, xOffset + i).mul(scale).mul(FloatVector.fromArray(species, weight, i))
                    .intoArray(out, outOffset + i);
        }
        for (; i < n; i++) {
            out[outOffset + i] = x[xOffset + i] * scale * weight[i];
        }
    }

    public static void rmsNormScalar(float[] out, int outOffset, float[] x, int xOffset, float[] weight, int n,
            float eps) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += (double) x[xOffset + i] * x[xOffset + i];
        }
        float scale = (float) (1.0 / Math.sqrt(sum / n + eps));
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = x[xOffset + i] * scale * weight[i];
        }
    }
}
