package dev.hearth.kernel;

import static dev.hearth.kernel.Lanes.B16;
import static dev.hearth.kernel.Lanes.F;
import static dev.hearth.kernel.Lanes.L;
import static dev.hearth.kernel.Lanes.LE;
import static dev.hearth.kernel.Lanes.PARTS;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Dot product of one Q6_K row with float activations. A super-block of 256 is {u8 ql[128], u8 qh[64], i8 scales[16],
 * f16 d}; in half n (128 elements), for l in [0, 32): elements l, l + 32, l + 64, l + 96 take the low nibble of
 * ql[64n + l], the low nibble of ql[64n + l + 32], the high nibble of ql[64n + l], the high nibble of ql[64n + l + 32],
 * and bits 0-1, 2-3, 4-5, 6-7 of qh[32n + l] as their top two bits; w = d * scales[e / 16] * (q - 32).
 */
final class Q6_KKernel {
    private Q6_KKernel() {}

    static float dot(MemorySegment w, long at, int cols, float[] x, int xOffset) {
        int blocks = cols / 256;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        FloatVector acc2 = FloatVector.zero(F);
        FloatVector acc3 = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long blk = at + 210L * b;
            float d = Float.float16ToFloat(w.get(ScalarKernels.F16, blk + 208));
            for (int n = 0; n < 2; n++) {
                for (int half = 0; half < 2; half++) {
                    long l = 16L * half;
                    ByteVector qlA = ByteVector.fromMemorySegment(B16, w, blk + 64 * n + l, LE);
                    ByteVector qlB = ByteVector.fromMemorySegment(B16, w, blk + 64 * n + 32 + l, LE);
                    ByteVector qh = ByteVector.fromMemorySegment(B16, w, blk + 128 + 32 * n + l, LE);
                    ByteVector q1 = qlA.and((byte) 0x0F)
                            .or(qh.lanewise(VectorOperators.LSHL, 4).and((byte) 0x30)).sub((byte) 32);
                    ByteVector q2 = qlB.and((byte) 0x0F)
                            .or(qh.lanewise(VectorOperators.LSHL, 2).and((byte) 0x30)).sub((byte) 32);
                    ByteVector q3 = qlA.lanewise(VectorOperators.LSHR, 4).or(qh.and((byte) 0x30)).sub((byte) 32);
                    ByteVector q4 = qlB.lanewise(VectorOperators.LSHR, 4)
                            .or(qh.lanewise(VectorOperators.LSHR, 2).and((byte) 0x30)).sub((byte) 32);
                    long sc = blk + 192 + 8 * n + half;
                    float d1 = d * w.get(ValueLayout.JAVA_BYTE, sc);
                    float d2 = d * w.get(ValueLayout.JAVA_BYTE, sc + 2);
                    float d3 = d * w.get(ValueLayout.JAVA_BYTE, sc + 4);
                    float d4 = d * w.get(ValueLayout.JAVA_BYTE, sc + 6);
                    int xe = xOffset + 256 * b + 128 * n + 16 * half;
                    FloatVector s1 = FloatVector.zero(F);
                    FloatVector s2 = FloatVector.zero(F);
                    FloatVector s3 = FloatVector.zero(F);
                    FloatVector s4 = FloatVector.zero(F);
                    for (int p = 0; p < PARTS; p++) {
                        int xp = xe + p * L;
                        s1 = ((FloatVector) q1.convertShape(VectorOperators.B2F, F, p))
                                .fma(FloatVector.fromArray(F, x, xp), s1);
                        s2 = ((FloatVector) q2.convertShape(VectorOperators.B2F, F, p))
                                .fma(FloatVector.fromArray(F, x, xp + 32), s2);
                        s3 = ((FloatVector) q3.convertShape(VectorOperators.B2F, F, p))
                                .fma(FloatVector.fromArray(F, x, xp + 64), s3);
                        s4 = ((FloatVector) q4.convertShape(VectorOperators.B2F, F, p))
                                .fma(FloatVector.fromArray(F, x, xp + 96), s4);
                    }
                    acc0 = s1.fma(FloatVector.broadcast(F, d1), acc0);
                    acc1 = s2.fma(FloatVector.broadcast(F, d2), acc1);
                    acc2 = s3.fma(FloatVector.broadcast(F, d3), acc2);
                    acc3 = s4.fma(FloatVector.broadcast(F, d4), acc3);
                }
            }
        }
        return acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
    }
}
