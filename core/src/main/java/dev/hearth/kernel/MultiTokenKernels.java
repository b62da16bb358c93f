package dev.hearth.kernel;

import static dev.hearth.kernel.Lanes.LE;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q8_0 and Q6_K rows against 4 tokens at once, for 16-lane vectors (AVX-512): each block is decoded and scaled once
 * into float vectors, then multiplied with the 4 tokens' activations, so the decode cost is shared by the tokens.
 * out[outOffset + k * outStride] = dot(row at byte {@code at}, x[xOffset + k * xStride ..]) for k < 4.
 */
final class MultiTokenKernels {
    private MultiTokenKernels() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_128;
    static final boolean SUPPORTED = Lanes.L == 16;

    static void dot4Q8_0(MemorySegment w, long at, int cols, float[] x, int xOffset, int xStride, float[] out,
            int outOffset, int outStride) {
        int blocks = cols / 32;
        FloatVector a0 = FloatVector.zero(F), b0 = FloatVector.zero(F), a1 = FloatVector.zero(F), b1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F), b2 = FloatVector.zero(F), a3 = FloatVector.zero(F), b3 = FloatVector.zero(F);
        int x0 = xOffset, x1 = xOffset + xStride, x2 = xOffset + 2 * xStride, x3 = xOffset + 3 * xStride;
        for (int b = 0; b < blocks; b++) {
            long blk = at + 34L * b;
            int e = 32 * b;
            float d = Float.float16ToFloat(w.get(ScalarKernels.F16, blk));
            FloatVector lo = ((FloatVector) ByteVector.fromMemorySegment(B, w, blk + 2, LE).convertShape(VectorOperators.B2F, F, 0)).mul(d);
            FloatVector hi = ((FloatVector) ByteVector.fromMemorySegment(B, w, blk + 18, LE).convertShape(VectorOperators.B2F, F, 0)).mul(d);
            a0 = lo.fma(FloatVector.fromArray(F, x, x0 + e), a0);
            b0 = hi.fma(FloatVector.fromArray(F, x, x0 + e + 16), b0);
            a1 = lo.fma(FloatVector.fromArray(F, x, x1 + e), a1);
            b1 = hi.fma(FloatVector.fromArray(F, x, x1 + e + 16), b1);
            a2 = lo.fma(FloatVector.fromArray(F, x, x2 + e), a2);
            b2 = hi.fma(FloatVector.fromArray(F, x, x2 + e + 16), b2);
            a3 = lo.fma(FloatVector.fromArray(F, x, x3 + e), a3);
            b3 = hi.fma(FloatVector.fromArray(F, x, x3 + e + 16), b3);
        }
        out[outOffset] = a0.add(b0).reduceLanes(VectorOperators.ADD);
        out[outOffset + outStride] = a1.add(b1).reduceLanes(VectorOperators.ADD);
        out[outOffset + 2 * outStride] = a2.add(b2).reduceLanes(VectorOperators.ADD);
        out[outOffset + 3 * outStride] = a3.add(b3).reduceLanes(VectorOperators.ADD);
    }

    /** Q6_K layout as in {@link Q6_KKernel}: per half n and 16-element group, four quant vectors with their scales. */
    static void dot4Q6_K(MemorySegment w, long at, int cols, float[] x, int xOffset, int xStride, float[] out,
            int outOffset, int outStride) {
        int blocks = cols / 256;
        FloatVector a0 = FloatVector.zero(F), b0 = FloatVector.zero(F), a1 = FloatVector.zero(F), b1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F), b2 = FloatVector.zero(F), a3 = FloatVector.zero(F), b3 = FloatVector.zero(F);
        int x0 = xOffset, x1 = xOffset + xStride, x2 = xOffset + 2 * xStride, x3 = xOffset + 3 * xStride;
        for (int b = 0; b < blocks; b++) {
            long blk = at + 210L * b;
            float d = Float.float16ToFloat(w.get(ScalarKernels.F16, blk + 208));
            for (int n = 0; n < 2; n++) {
                for (int half = 0; half < 2; half++) {
                    long l = 16L * half;
                    ByteVector qlA = ByteVector.fromMemorySegment(B, w, blk + 64 * n + l, LE);
                    ByteVector qlB = ByteVector.fromMemorySegment(B, w, blk + 64 * n + 32 + l, LE);
                    ByteVector qh = ByteVector.fromMemorySegment(B, w, blk + 128 + 32 * n + l, LE);
                    ByteVector q1 = qlA.and((byte) 0x0F)
                            .or(qh.lanewise(VectorOperators.LSHL, 4).and((byte) 0x30)).sub((byte) 32);
                    ByteVector q2 = qlB.and((byte) 0x0F)
                            .or(qh.lanewise(VectorOperators.LSHL, 2).and((byte) 0x30)).sub((byte) 32);
                    ByteVector q3 = qlA.lanewise(VectorOperators.LSHR, 4).or(qh.and((byte) 0x30)).sub((byte) 32);
                    ByteVector q4 = qlB.lanewise(VectorOperators.LSHR, 4)
                            .or(qh.lanewise(VectorOperators.LSHR, 2).and((byte) 0x30)).sub((byte) 32);
                    long sc = blk + 192 + 8 * n + half;
                    FloatVector w1 = ((FloatVector) q1.convertShape(VectorOperators.B2F, F, 0)).mul(d * w.get(ValueLayout.JAVA_BYTE, sc));
                    FloatVector w2 = ((FloatVector) q2.convertShape(VectorOperators.B2F, F, 0)).mul(d * w.get(ValueLayout.JAVA_BYTE, sc + 2));
                    FloatVector w3 = ((FloatVector) q3.convertShape(VectorOperators.B2F, F, 0)).mul(d * w.get(ValueLayout.JAVA_BYTE, sc + 4));
                    FloatVector w4 = ((FloatVector) q4.convertShape(VectorOperators.B2F, F, 0)).mul(d * w.get(ValueLayout.JAVA_BYTE, sc + 6));
                    int e = 256 * b + 128 * n + 16 * half;
                    a0 = w1.fma(FloatVector.fromArray(F, x, x0 + e), a0);
                    b0 = w2.fma(FloatVector.fromArray(F, x, x0 + e + 32), b0);
                    a0 = w3.fma(FloatVector.fromArray(F, x, x0 + e + 64), a0);
                    b0 = w4.fma(FloatVector.fromArray(F, x, x0 + e + 96), b0);
                    a1 = w1.fma(FloatVector.fromArray(F, x, x1 + e), a1);
                    b1 = w2.fma(FloatVector.fromArray(F, x, x1 + e + 32), b1);
                    a1 = w3.fma(FloatVector.fromArray(F, x, x1 + e + 64), a1);
                    b1 = w4.fma(FloatVector.fromArray(F, x, x1 + e + 96), b1);
                    a2 = w1.fma(FloatVector.fromArray(F, x, x2 + e), a2);
                    b2 = w2.fma(FloatVector.fromArray(F, x, x2 + e + 32), b2);
                    a2 = w3.fma(FloatVector.fromArray(F, x, x2 + e + 64), a2);
                    b2 = w4.fma(FloatVector.fromArray(F, x, x2 + e + 96), b2);
                    a3 = w1.fma(FloatVector.fromArray(F, x, x3 + e), a3);
                    b3 = w2.fma(FloatVector.fromArray(F, x, x3 + e + 32), b3);
                    a3 = w3.fma(FloatVector.fromArray(F, x, x3 + e + 64), a3);
                    b3 = w4.fma(FloatVector.fromArray(F, x, x3 + e + 96), b3);
                }
            }
        }
        out[outOffset] = a0.add(b0).reduceLanes(VectorOperators.ADD);
        out[outOffset + outStride] = a1.add(b1).reduceLanes(VectorOperators.ADD);
        out[outOffset + 2 * outStride] = a2.add(b2).reduceLanes(VectorOperators.ADD);
        out[outOffset + 3 * outStride] = a3.add(b3).reduceLanes(VectorOperators.ADD);
    }
}
