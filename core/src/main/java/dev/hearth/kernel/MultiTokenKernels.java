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

    /**
     * Q8_0 rows at bytes at + i * rowBytes (i < 4) against 4 tokens: out[outOffset + i + k * outStride]; register-blocked
     * as NibbleTableKernels.dot4x4Q4_0 (each activation vector loaded once for the 4 rows).
     */
    static void dot4x4Q8_0(MemorySegment w, long at, long rowBytes, int cols, float[] x, int xOffset, int xStride,
            float[] out, int outOffset, int outStride) {
        int blocks = cols / 32;
        FloatVector a00 = FloatVector.zero(F), a01 = FloatVector.zero(F), a02 = FloatVector.zero(F), a03 = FloatVector.zero(F);
        FloatVector a10 = FloatVector.zero(F), a11 = FloatVector.zero(F), a12 = FloatVector.zero(F), a13 = FloatVector.zero(F);
        FloatVector a20 = FloatVector.zero(F), a21 = FloatVector.zero(F), a22 = FloatVector.zero(F), a23 = FloatVector.zero(F);
        FloatVector a30 = FloatVector.zero(F), a31 = FloatVector.zero(F), a32 = FloatVector.zero(F), a33 = FloatVector.zero(F);
        int x0 = xOffset + 0 * xStride, x1 = xOffset + 1 * xStride, x2 = xOffset + 2 * xStride, x3 = xOffset + 3 * xStride;
        long r0 = at + 0 * rowBytes, r1 = at + 1 * rowBytes, r2 = at + 2 * rowBytes, r3 = at + 3 * rowBytes;
        for (int b = 0; b < blocks; b++) {
            long o = 34L * b;  // block b of each row
            int e = 32 * b;
            FloatVector xl0 = FloatVector.fromArray(F, x, x0 + e), xh0 = FloatVector.fromArray(F, x, x0 + e + 16);
            FloatVector xl1 = FloatVector.fromArray(F, x, x1 + e), xh1 = FloatVector.fromArray(F, x, x1 + e + 16);
            FloatVector xl2 = FloatVector.fromArray(F, x, x2 + e), xh2 = FloatVector.fromArray(F, x, x2 + e + 16);
            FloatVector xl3 = FloatVector.fromArray(F, x, x3 + e), xh3 = FloatVector.fromArray(F, x, x3 + e + 16);
            float d0 = Float.float16ToFloat(w.get(ScalarKernels.F16, r0 + o));
            FloatVector lo0 = ((FloatVector) ByteVector.fromMemorySegment(B, w, r0 + o + 2, LE).convertShape(VectorOperators.B2F, F, 0)).mul(d0);
            FloatVector hi0 = ((FloatVector) ByteVector.fromMemorySegment(B, w, r0 + o + 18, LE).convertShape(VectorOperators.B2F, F, 0)).mul(d0);
            a00 = hi0.fma(xh0, lo0.fma(xl0, a00));
            a01 = hi0.fma(xh1, lo0.fma(xl1, a01));
            a02 = hi0.fma(xh2, lo0.fma(xl2, a02));
            a03 = hi0.fma(xh3, lo0.fma(xl3, a03));
            float d1 = Float.float16ToFloat(w.get(ScalarKernels.F16, r1 + o));
            FloatVector lo1 = ((FloatVector) ByteVector.fromMemorySegment(B, w, r1 + o + 2, LE).convertShape(VectorOperators.B2F, F, 0)).mul(d1);
            FloatVector hi1 = ((FloatVector) ByteVector.fromMemorySegment(B, w, r1 + o + 18, LE).convertShape(VectorOperators.B2F, F, 0)).mul(d1);
            a10 = hi1.fma(xh0, lo1.fma(xl0, a10));
            a11 = hi1.fma(xh1, lo1.fma(xl1, a11));
            a12 = hi1.fma(xh2, lo1.fma(xl2, a12));
            a13 = hi1.fma(xh3, lo1.fma(xl3, a13));
            float d2 = Float.float16ToFloat(w.get(ScalarKernels.F16, r2 + o));
            FloatVector lo2 = ((FloatVector) ByteVector.fromMemorySegment(B, w, r2 + o + 2, LE).convertShape(VectorOperators.B2F, F, 0)).mul(d2);
            FloatVector hi2 = ((FloatVector) ByteVector.fromMemorySegment(B, w, r2 + o + 18, LE).convertShape(VectorOperators.B2F, F, 0)).mul(d2);
            a20 = hi2.fma(xh0, lo2.fma(xl0, a20));
            a21 = hi2.fma(xh1, lo2.fma(xl1, a21));
            a22 = hi2.fma(xh2, lo2.fma(xl2, a22));
            a23 = hi2.fma(xh3, lo2.fma(xl3, a23));
            float d3 = Float.float16ToFloat(w.get(ScalarKernels.F16, r3 + o));
            FloatVector lo3 = ((FloatVector) ByteVector.fromMemorySegment(B, w, r3 + o + 2, LE).convertShape(VectorOperators.B2F, F, 0)).mul(d3);
            FloatVector hi3 = ((FloatVector) ByteVector.fromMemorySegment(B, w, r3 + o + 18, LE).convertShape(VectorOperators.B2F, F, 0)).mul(d3);
            a30 = hi3.fma(xh0, lo3.fma(xl0, a30));
            a31 = hi3.fma(xh1, lo3.fma(xl1, a31));
            a32 = hi3.fma(xh2, lo3.fma(xl2, a32));
            a33 = hi3.fma(xh3, lo3.fma(xl3, a33));
        }
        out[outOffset + 0 + 0 * outStride] = a00.reduceLanes(VectorOperators.ADD);
        out[outOffset + 0 + 1 * outStride] = a01.reduceLanes(VectorOperators.ADD);
        out[outOffset + 0 + 2 * outStride] = a02.reduceLanes(VectorOperators.ADD);
        out[outOffset + 0 + 3 * outStride] = a03.reduceLanes(VectorOperators.ADD);
        out[outOffset + 1 + 0 * outStride] = a10.reduceLanes(VectorOperators.ADD);
        out[outOffset + 1 + 1 * outStride] = a11.reduceLanes(VectorOperators.ADD);
        out[outOffset + 1 + 2 * outStride] = a12.reduceLanes(VectorOperators.ADD);
        out[outOffset + 1 + 3 * outStride] = a13.reduceLanes(VectorOperators.ADD);
        out[outOffset + 2 + 0 * outStride] = a20.reduceLanes(VectorOperators.ADD);
        out[outOffset + 2 + 1 * outStride] = a21.reduceLanes(VectorOperators.ADD);
        out[outOffset + 2 + 2 * outStride] = a22.reduceLanes(VectorOperators.ADD);
        out[outOffset + 2 + 3 * outStride] = a23.reduceLanes(VectorOperators.ADD);
        out[outOffset + 3 + 0 * outStride] = a30.reduceLanes(VectorOperators.ADD);
        out[outOffset + 3 + 1 * outStride] = a31.reduceLanes(VectorOperators.ADD);
        out[outOffset + 3 + 2 * outStride] = a32.reduceLanes(VectorOperators.ADD);
        out[outOffset + 3 + 3 * outStride] = a33.reduceLanes(VectorOperators.ADD);
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
