package dev.hearth.kernel;

import static dev.hearth.kernel.Lanes.B16;
import static dev.hearth.kernel.Lanes.F;
import static dev.hearth.kernel.Lanes.L;
import static dev.hearth.kernel.Lanes.LE;
import static dev.hearth.kernel.Lanes.PARTS;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Dot products of one Q5_0 row (blocks of {f16 d, u32 qh, u8 qs[16]}, w = d * (q - 16)) or Q5_1 row ({f16 d, f16 m,
 * u32 qh, u8 qs[16]}, w = d * q + m) with float activations. The 5-bit quant of element i has its low 4 bits in a
 * nibble of qs (as Q4) and its high bit in bit i of qh; that bit becomes a lane mask that adds 16.
 */
final class Q5Kernels {
    private Q5Kernels() {}

    static float dotQ5_0(MemorySegment w, long at, int cols, float[] x, int xOffset) {
        int blocks = cols / 32;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long blk = at + 22L * b;
            int xb = xOffset + 32 * b;
            long qh = Integer.toUnsignedLong(w.get(ScalarKernels.I32, blk + 2));
            ByteVector qs = ByteVector.fromMemorySegment(B16, w, blk + 6, LE);
            ByteVector lo = qs.and((byte) 0x0F).sub((byte) 16);
            ByteVector hi = qs.lanewise(VectorOperators.LSHR, 4).sub((byte) 16);
            FloatVector s0 = FloatVector.zero(F);
            FloatVector s1 = FloatVector.zero(F);
            for (int p = 0; p < PARTS; p++) {
                VectorMask<Float> h0 = VectorMask.fromLong(F, qh >>> (p * L));
                VectorMask<Float> h1 = VectorMask.fromLong(F, qh >>> (16 + p * L));
                FloatVector w0 = ((FloatVector) lo.convertShape(VectorOperators.B2F, F, p)).add(16f, h0);
                FloatVector w1 = ((FloatVector) hi.convertShape(VectorOperators.B2F, F, p)).add(16f, h1);
                s0 = w0.fma(FloatVector.fromArray(F, x, xb + p * L), s0);
                s1 = w1.fma(FloatVector.fromArray(F, x, xb + 16 + p * L), s1);
            }
            FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat(w.get(ScalarKernels.F16, blk)));
            acc0 = s0.fma(d, acc0);
            acc1 = s1.fma(d, acc1);
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }

    /** dot = sum over blocks of d * sum(q * x) + m * sum(x). */
    static float dotQ5_1(MemorySegment w, long at, int cols, float[] x, int xOffset) {
        int blocks = cols / 32;
        FloatVector acc = FloatVector.zero(F);
        FloatVector accMin = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long blk = at + 24L * b;
            int xb = xOffset + 32 * b;
            long qh = Integer.toUnsignedLong(w.get(ScalarKernels.I32, blk + 4));
            ByteVector qs = ByteVector.fromMemorySegment(B16, w, blk + 8, LE);
            ByteVector lo = qs.and((byte) 0x0F);
            ByteVector hi = qs.lanewise(VectorOperators.LSHR, 4);
            FloatVector qx = FloatVector.zero(F);
            FloatVector sx = FloatVector.zero(F);
            for (int p = 0; p < PARTS; p++) {
                VectorMask<Float> h0 = VectorMask.fromLong(F, qh >>> (p * L));
                VectorMask<Float> h1 = VectorMask.fromLong(F, qh >>> (16 + p * L));
                FloatVector x0 = FloatVector.fromArray(F, x, xb + p * L);
                FloatVector x1 = FloatVector.fromArray(F, x, xb + 16 + p * L);
                qx = ((FloatVector) lo.convertShape(VectorOperators.B2F, F, p)).add(16f, h0).fma(x0, qx);
                qx = ((FloatVector) hi.convertShape(VectorOperators.B2F, F, p)).add(16f, h1).fma(x1, qx);
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
