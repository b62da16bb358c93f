package dev.hearth.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** Numerically stable softmax in place: x = exp(x - max) / sum. */
public final class Softmax {
    private Softmax() {}

    public static void softmax(float[] x, int off, int n) {
        var species = VectorOps.SPECIES;
        int upper = species.loopBound(n);
        FloatVector vmax = FloatVector.broadcast(species, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (; i < upper; i += species.length()) {
            // compare and blend, not FloatVector.max: its NaN-exact sequence is 2.5x slower, and inlined deep in the
            // attention loop C2 left it unintrinsified (boxed vectors, allocation per call; seen with JFR)
            FloatVector v = FloatVector.fromArray(species, x, off + i);
            vmax = vmax.blend(v, vmax.compare(VectorOperators.LT, v));
        }
        float max = vmax.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        FloatVector vsum = FloatVector.zero(species);
        i = 0;
        for (; i < upper; i += species.length()) {
            FloatVector e = FloatVector.fromArray(species, x, off + i).sub(max).lanewise(VectorOperators.EXP);
            e.intoArray(x, off + i);
            vsum = vsum.add(e);
        }
        float sum = vsum.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float e = (float) Math.exp(x[off + i] - max);
            x[off + i] = e;
            sum += e;
        }
        VectorOps.scale(x, off, 1f / sum, n);
    }

    public static void softmaxScalar(float[] x, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float e = (float) Math.exp(x[off + i] - max);
            x[off + i] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int i = 0; i < n; i++) {
            x[off + i] *= inv;
        }
    }
}
