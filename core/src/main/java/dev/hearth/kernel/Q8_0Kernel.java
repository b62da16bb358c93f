package dev.hearth.kernel;

import static dev.hearth.kernel.Lanes.B16;
import static dev.hearth.kernel.Lanes.F;
import static dev.hearth.kernel.Lanes.L;
import static dev.hearth.kernel.Lanes.LE;
import static dev.hearth.kernel.Lanes.PARTS;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** Dot product of one Q8_0 row (blocks of {f16 d, int8 q[32]}, w = d * q) with float activations. */
final class Q8_0Kernel {
    private Q8_0Kernel() {}

    static final int BLOCK_BYTES = 34;

    static float dot(MemorySegment w, long at, int cols, float[] x, int xOffset) {
        int blocks = cols / 32;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long blk = at + (long) BLOCK_BYTES * b;
            int xb = xOffset + 32 * b;
            ByteVector q0 = ByteVector.fromMemorySegment(B16, w, blk + 2, LE);
            ByteVector q1 = ByteVector.fromMemorySegment(B16, w, blk + 18, LE);
            FloatVector s0 = FloatVector.zero(F);
            FloatVector s1 = FloatVector.zero(F);
            for (int p = 0; p < PARTS; p++) {
                s0 = ((FloatVector) q0.convertShape(VectorOperators.B2F, F, p))
                        .fma(FloatVector.fromArray(F, x, xb + p * L), s0);
                s1 = ((FloatVector) q1.convertShape(VectorOperators.B2F, F, p))
                        .fma(FloatVector.fromArray(F, x, xb + 16 + p * L), s1);
            }
            FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat(w.get(ScalarKernels.F16, blk)));
            acc0 = s0.fma(d, acc0);
            acc1 = s1.fma(d, acc1);
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }
}
