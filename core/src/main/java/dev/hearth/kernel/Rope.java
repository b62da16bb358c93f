package dev.hearth.kernel;

import jdk.incubator.vector.FloatVector;

/**
 * Rotary position embedding. Pair i of a head (i in [0, rotaryDims / 2)) is rotated by the angle
 * {@code pos * frequency[i]}. Two pairings: adjacent elements (2i, 2i + 1) (llama.cpp NORM) or halves
 * (i, i + rotaryDims / 2) (NEOX). Angles are computed in double; cos/sin are filled once per token and applied to
 * every head.
 */
public final class Rope {
    private Rope() {}

    /**
     * frequency[i] = scale * theta^(-2i / rotaryDims) / factors[i] (factors may be null: Llama-3 style scaling keeps
     * its per-pair divisors in {@code rope_freqs.weight}).
     */
    public static double[] frequencies(double theta, int rotaryDims, float[] factors, double scale) {
        double[] f = new double[rotaryDims / 2];
        for (int i = 0; i < f.length; i++) {
            f[i] = scale * Math.pow(theta, -2.0 * i / rotaryDims) / (factors == null ? 1.0 : factors[i]);
        }
        return f;
    }

    /** cos[off + i] = cos(pos * frequency[i]), sin likewise. */
    public static void fillCosSin(int pos, double[] frequency, float[] cos, float[] sin, int off) {
        for (int i = 0; i < frequency.length; i++) {
            double angle = pos * frequency[i];
            cos[off + i] = (float) Math.cos(angle);
            sin[off + i] = (float) Math.sin(angle);
        }
    }

    /** NORM pairing over numHeads heads of headSize starting at x[off]; cos/sin hold rotaryDims / 2 values at csOff. */
    public static void rotateAdjacentPairs(float[] x, int off, int numHeads, int headSize, int rotaryDims, float[] cos,
            float[] sin, int csOff) {
        int half = rotaryDims / 2;
        for (int h = 0; h < numHeads; h++) {
            int base = off + h * headSize;
            for (int i = 0; i < half; i++) {
                float c = cos[csOff + i];
                float s = sin[csOff + i];
                float x0 = x[base + 2 * i];
                float x1 = x[base + 2 * i + 1];
                x[base + 2 * i] = x0 * c - x1 * s;
                x[base + 2 * i + 1] = x0 * s + x1 * c;
            }
        }
    }

    /** NEOX pairing (i, i + rotaryDims / 2); see {@link #rotateAdjacentPairs}. */
    public static void rotateHalves(float[] x, int off, int numHeads, int headSize, int rotaryDims, float[] cos,
            float[] sin, int csOff) {
        if (NativeOps.AVAILABLE) {
            NativeOps.ropeHalves(x, off, numHeads, headSize, rotaryDims, cos, sin, csOff);
            return;
        }
        rotateHalvesVector(x, off, numHeads, headSize, rotaryDims, cos, sin, csOff);
    }

    /** The Vector API form of {@link #rotateHalves}, where the native library does not run. */
    static void rotateHalvesVector(float[] x, int off, int numHeads, int headSize, int rotaryDims, float[] cos,
            float[] sin, int csOff) {
        var species = VectorOps.SPECIES;
        int half = rotaryDims / 2;
        int upper = species.loopBound(half);
        for (int h = 0; h < numHeads; h++) {
            int base = off + h * headSize;
            int i = 0;
            for (; i < upper; i += species.length()) {
                FloatVector c = FloatVector.fromArray(species, cos, csOff + i);
                FloatVector s = FloatVector.fromArray(species, sin, csOff + i);
                FloatVector x0 = FloatVector.fromArray(species, x, base + i);
                FloatVector x1 = FloatVector.fromArray(species, x, base + half + i);
                x0.mul(c).sub(x1.mul(s)).intoArray(x, base + i);
                x0.mul(s).add(x1.mul(c)).intoArray(x, base + half + i);
            }
            for (; i < half; i++) {
                rotateHalfPair(x, base, half, i, cos[csOff + i], sin[csOff + i]);
            }
        }
    }

    public static void rotateHalvesScalar(float[] x, int off, int numHeads, int headSize, int rotaryDims, float[] cos,
            float[] sin, int csOff) {
        int half = rotaryDims / 2;
        for (int h = 0; h < numHeads; h++) {
            for (int i = 0; i < half; i++) {
                rotateHalfPair(x, off + h * headSize, half, i, cos[csOff + i], sin[csOff + i]);
            }
        }
    }

    private static void rotateHalfPair(float[] x, int base, int half, int i, float c, float s) {
        float x0 = x[base + i];
        float x1 = x[base + half + i];
        x[base + i] = x0 * c - x1 * s;
        x[base + half + i] = x0 * s + x1 * c;
    }
}
