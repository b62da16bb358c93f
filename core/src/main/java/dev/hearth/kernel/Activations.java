package dev.hearth.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** SwiGLU gating: gate = silu(gate) * up, with silu(x) = x / (1 + exp(-x)). */
public final class Activations {
    private Activations() {}

    public static void swiglu(float[] gate, float[] up, int n) {
        if (NativeOps.AVAILABLE) {
            NativeOps.swiglu(gate, up, n);
            return;
        }
        swigluVector(gate, up, n);
    }

    /** The Vector API form of {@link #swiglu}, where the native library does not run. */
    static void swigluVector(float[] gate, float[] up, int n) {
        var species = VectorOps.SPECIES;
        int i = 0;
        int upper = species.loopBound(n);
        for (; i < upper; i += species.length()) {
            FloatVector g = FloatVector.fromArray(species, gate, i);
            FloatVector silu = g.div(g.neg().lanewise(VectorOperators.EXP).add(1f));
            silu.mul(FloatVector.fromArray(species, up, i)).intoArray(gate, i);
        }
        for (; i < n; i++) {
            gate[i] = silu(gate[i]) * up[i];
        }
    }

    public static void swigluScalar(float[] gate, float[] up, int n) {
        for (int i = 0; i < n; i++) {
            gate[i] = silu(gate[i]) * up[i];
        }
    }

    static float silu(float x) {
        return (float) (x / (1.0 + Math.exp(-x)));
    }
}
