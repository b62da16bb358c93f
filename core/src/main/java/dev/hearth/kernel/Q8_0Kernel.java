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

    /** Two blocks per step into four accumulators, each block's weights scaled first, so FMA latency stays hidden. */
    static float dot(MemorySegment w, long at, int cols, float[] x, int xOffset) {
        int blocks = cols / 32;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        FloatVector acc2 = FloatVector.zero(F);
        FloatVector acc3 = FloatVector.zero(F);
        int b = 0;
        for (; b + 1 < blocks; b += 2) {
            long blk = at + (long) BLOCK_BYTES * b;
            int xb = xOffset + 32 * b;
            float d0 = Float.float16ToFloat(w.get(ScalarKernels.F16, blk));
            float d1 = Float.float16ToFloat(w.get(ScalarKernels.F16, blk + BLOCK_BYTES));
            ByteVector q0 = ByteVector.fromMemorySegment(B16, w, blk + 2, LE);
            ByteVector q1 = ByteVector.fromMemorySegment(B16, w, blk + 18, LE);
            ByteVector q2 = ByteVector.fromMemorySegment(B16, w, blk + BLOCK_BYTES + 2, LE);
            ByteVector q3 = ByteVector.fromMemorySegment(B16, w, blk + BLOCK_BYTES + 18, LE);
            for (int p = 0; p < PARTS; p++) {
                acc0 = ((FloatVector) q0.convertShape(VectorOperators.B2F, F, p)).mul(d0)
                        .fma(FloatVector.fromArray(F, x, xb + p * L), acc0);
                acc1 = ((FloatVector) q1.convertShape(VectorOperators.B2F, F, p)).mul(d0)
                        .fma(FloatVector.fromArray(F, x, xb + 16 + p * L), acc1);
                acc2 = ((FloatVector) q2.convertShape(VectorOperators.B2F, F, p)).mul(d1)
                        .fma(FloatVector.fromArray(F, x, xb + 32 + p * L), acc2);
                acc3 = ((FloatVector) q3.convertShape(VectorOperators.B2F, F, p)).mul(d1)
                        .fma(FloatVector.fromArray(F, x, xb + 48 + p * L), acc3);
            }
        }
        for (; b < blocks; b++) {
            long blk = at + (long) BLOCK_BYTES * b;
            int xb = xOffset + 32 * b;
            float d = Float.float16ToFloat(w.get(ScalarKernels.F16, blk));
            ByteVector q0 = ByteVector.fromMemorySegment(B16, w, blk + 2, LE);
            ByteVector q1 = ByteVector.fromMemorySegment(B16, w, blk + 18, LE);
            for (int p = 0; p < PARTS; p++) {
                acc0 = ((FloatVector) q0.convertShape(VectorOperators.B2F, F, p)).mul(d)
                        .fma(FloatVector.fromArray(F, x, xb + p * L), acc0);
                acc1 = ((FloatVector) q1.convertShape(VectorOperators.B2F, F, p)).mul(d)
                        .fma(FloatVector.fromArray(F, x, xb + 16 + p * L), acc1);
            }
        }
        return acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
    }
}
