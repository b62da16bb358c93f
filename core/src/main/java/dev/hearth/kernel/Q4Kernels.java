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

/**
 * Dot products of one Q4_0 row (blocks of {f16 d, u8 qs[16]}, w = d * (nibble - 8)) or Q4_1 row ({f16 d, f16 m,
 * u8 qs[16]}, w = d * nibble + m) with float activations. Element j of a block is the low nibble of qs[j], element
 * j + 16 the high nibble.
 */
final class Q4Kernels {
    private Q4Kernels() {}

    static float dotQ4_0(MemorySegment w, long at, int cols, float[] x, int xOffset) {
        int blocks = cols / 32;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long blk = at + 18L * b;
            int xb = xOffset + 32 * b;
            ByteVector qs = ByteVector.fromMemorySegment(B16, w, blk + 2, LE);
            ByteVector lo = qs.and((byte) 0x0F).sub((byte) 8);
            ByteVector hi = qs.lanewise(VectorOperators.LSHR, 4).sub((byte) 8);
            FloatVector s0 = FloatVector.zero(F);
            FloatVector s1 = FloatVector.zero(F);
            for (int p = 0; p < PARTS; p++) {
                s0 = ((FloatVector) lo.convertShape(VectorOperators.B2F, F, p))
                        .fma(FloatVector.fromArray(F, x, xb + p * L), s0);
                s1 = ((FloatVector) hi.convertShape(VectorOperators.B2F, F, p))
                        .fma(FloatVector.fromArray(F, x, xb + 16 + p * L), s1);
            }
            FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat(w.get(ScalarKernels.F16, blk)));
            acc0 = s0.fma(d, acc0);
            acc1 = s1.fma(d, acc1);
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }

    /** dot = sum over blocks of d * sum(nibble * x) + m * sum(x). */
    static float dotQ4_1(MemorySegment w, long at, int cols, float[] x, int xOffset) {
        int blocks = cols / 32;
        FloatVector acc = FloatVector.zero(F);
        FloatVector accMin = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long blk = at + 20L * b;
            int xb = xOffset + 32 * b;
            ByteVector qs = ByteVector.fromMemorySegment(B16, w, blk + 4, LE);
            ByteVector lo = qs.and((byte) 0x0F);
            ByteVector hi = qs.lanewise(VectorOperators.LSHR, 4);
            FloatVector qx = FloatVector.zero(F);
            FloatVector sx = FloatVector.zero(F);
            for (int p = 0; p < PARTS; p++) {
                FloatVector x0 = FloatVector.fromArray(F, x, xb + p * L);
                FloatVector x1 = FloatVector.fromArray(F, x, xb + 16 + p * L);
                qx = ((FloatVector) lo.convertShape(VectorOperators.B2F, F, p)).fma(x0, qx);
                qx = ((FloatVector) hi.convertShape(VectorOperators.B2F, F, p)).fma(x1, qx);
                sx = sx.add(x0).add(x1);
            }
            float d = Float.float16ToFloat(w.get(ScalarKernels.F16, blk));
            float m = Float.float16ToFloat(w.get(ScalarKernels.F16, blk + 2));
            acc = qx.fma(FloatVector.broadcast(F, d), acc);
            accMin = sx.fma(FloatVector.broadcast(F, m), accMin);
        }
        return acc.add(accMin).reduceLanes(VectorOperators.ADD);
    }
}
