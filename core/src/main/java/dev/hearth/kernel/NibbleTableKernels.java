package dev.hearth.kernel;

import static dev.hearth.kernel.Lanes.LE;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q4_0 and Q4_K dot products for 16-lane vectors (AVX-512) by table lookup: the 16 possible weights of a block (or
 * sub-block), already scaled, sit in one float vector, and each nibble, zero-extended to an int lane, selects its
 * weight with one permute. That replaces the mask, shift, sign-extension and int-to-float conversion of the widening
 * kernels and folds the block scale (and the K-quant min) into the table. The {@code dot4} forms decode a block once
 * and use it for 4 tokens. Used only when {@link #SUPPORTED}; the widening kernels cover the other vector shapes.
 */
final class NibbleTableKernels {
    private NibbleTableKernels() {}

    static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_512;
    static final VectorSpecies<Byte> B = ByteVector.SPECIES_128;
    /** True where the preferred float vector has 16 lanes, the table width. */
    static final boolean SUPPORTED = Lanes.L == 16;
    // The loops spell every vector expression out: C2 refuses to inline small static helpers here ("callee uses too
    // much stack"), and a vector that crosses a call that is not inlined is boxed, which is 50x slower.

    /** The nibble values 0..15 as floats. selectFrom wraps its indexes (lane & 15), so low nibbles need no mask. */
    private static final FloatVector IOTA = FloatVector.fromArray(F,
            new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, 0);
    /** The Q4_0 weights n - 8 for n in 0..15. */
    private static final FloatVector CENTERED = IOTA.sub(8f);

    static float dotQ4_0(MemorySegment w, long at, int cols, float[] x, int xOffset) {
        int blocks = cols / 32;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F), a4 = FloatVector.zero(F), a5 = FloatVector.zero(F);
        FloatVector a6 = FloatVector.zero(F), a7 = FloatVector.zero(F);
        int b = 0;
        for (; b + 3 < blocks; b += 4) {  // four independent blocks, eight accumulators: FMA latency stays hidden
            long blk = at + 18L * b;
            int xb = xOffset + 32 * b;
            IntVector t0 = CENTERED.mul(Float.float16ToFloat(w.get(ScalarKernels.F16, blk))).reinterpretAsInts(), t1 = CENTERED.mul(Float.float16ToFloat(w.get(ScalarKernels.F16, blk + 18))).reinterpretAsInts();
            IntVector t2 = CENTERED.mul(Float.float16ToFloat(w.get(ScalarKernels.F16, blk + 36))).reinterpretAsInts(), t3 = CENTERED.mul(Float.float16ToFloat(w.get(ScalarKernels.F16, blk + 54))).reinterpretAsInts();
            IntVector q0 = (IntVector) ByteVector.fromMemorySegment(B, w, blk + 2, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0), q1 = (IntVector) ByteVector.fromMemorySegment(B, w, blk + 20, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0), q2 = (IntVector) ByteVector.fromMemorySegment(B, w, blk + 38, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0), q3 = (IntVector) ByteVector.fromMemorySegment(B, w, blk + 56, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            a0 = q0.selectFrom(t0).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xb), a0);
            a1 = q0.lanewise(VectorOperators.LSHR, 4).selectFrom(t0).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xb + 16), a1);
            a2 = q1.selectFrom(t1).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xb + 32), a2);
            a3 = q1.lanewise(VectorOperators.LSHR, 4).selectFrom(t1).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xb + 48), a3);
            a4 = q2.selectFrom(t2).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xb + 64), a4);
            a5 = q2.lanewise(VectorOperators.LSHR, 4).selectFrom(t2).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xb + 80), a5);
            a6 = q3.selectFrom(t3).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xb + 96), a6);
            a7 = q3.lanewise(VectorOperators.LSHR, 4).selectFrom(t3).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xb + 112), a7);
        }
        for (; b < blocks; b++) {
            long blk = at + 18L * b;
            int xb = xOffset + 32 * b;
            IntVector t = CENTERED.mul(Float.float16ToFloat(w.get(ScalarKernels.F16, blk))).reinterpretAsInts();
            IntVector q = (IntVector) ByteVector.fromMemorySegment(B, w, blk + 2, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            a0 = q.selectFrom(t).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xb), a0);
            a1 = q.lanewise(VectorOperators.LSHR, 4).selectFrom(t).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xb + 16), a1);
        }
        return a0.add(a1).add(a2.add(a3)).add(a4.add(a5).add(a6.add(a7))).reduceLanes(VectorOperators.ADD);
    }

    /** As {@link #dotQ4_0(MemorySegment, long, int, float[], int)}, the block scales read from s[so..] (a scale table). */
    static float dotQ4_0(MemorySegment w, long at, int cols, float[] x, int xOffset, float[] s, int so) {
        int blocks = cols / 32;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F), a4 = FloatVector.zero(F), a5 = FloatVector.zero(F);
        FloatVector a6 = FloatVector.zero(F), a7 = FloatVector.zero(F);
        int b = 0;
        for (; b + 3 < blocks; b += 4) {  // four independent blocks, eight accumulators: FMA latency stays hidden
            long blk = at + 18L * b;
            int xb = xOffset + 32 * b;
            IntVector t0 = CENTERED.mul(s[so + b]).reinterpretAsInts(), t1 = CENTERED.mul(s[so + b + 1]).reinterpretAsInts();
            IntVector t2 = CENTERED.mul(s[so + b + 2]).reinterpretAsInts(), t3 = CENTERED.mul(s[so + b + 3]).reinterpretAsInts();
            IntVector q0 = (IntVector) ByteVector.fromMemorySegment(B, w, blk + 2, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0), q1 = (IntVector) ByteVector.fromMemorySegment(B, w, blk + 20, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0), q2 = (IntVector) ByteVector.fromMemorySegment(B, w, blk + 38, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0), q3 = (IntVector) ByteVector.fromMemorySegment(B, w, blk + 56, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            a0 = q0.selectFrom(t0).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xb), a0);
            a1 = q0.lanewise(VectorOperators.LSHR, 4).selectFrom(t0).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xb + 16), a1);
            a2 = q1.selectFrom(t1).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xb + 32), a2);
            a3 = q1.lanewise(VectorOperators.LSHR, 4).selectFrom(t1).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xb + 48), a3);
            a4 = q2.selectFrom(t2).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xb + 64), a4);
            a5 = q2.lanewise(VectorOperators.LSHR, 4).selectFrom(t2).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xb + 80), a5);
            a6 = q3.selectFrom(t3).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xb + 96), a6);
            a7 = q3.lanewise(VectorOperators.LSHR, 4).selectFrom(t3).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xb + 112), a7);
        }
        for (; b < blocks; b++) {
            long blk = at + 18L * b;
            int xb = xOffset + 32 * b;
            IntVector t = CENTERED.mul(s[so + b]).reinterpretAsInts();
            IntVector q = (IntVector) ByteVector.fromMemorySegment(B, w, blk + 2, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            a0 = q.selectFrom(t).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xb), a0);
            a1 = q.lanewise(VectorOperators.LSHR, 4).selectFrom(t).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xb + 16), a1);
        }
        return a0.add(a1).add(a2.add(a3)).add(a4.add(a5).add(a6.add(a7))).reduceLanes(VectorOperators.ADD);
    }

    /** out[outOffset + k * outStride] = dot(Q4_0 row at byte {@code at}, x[xOffset + k * xStride ..]) for k < 4. */
    static void dot4Q4_0(MemorySegment w, long at, int cols, float[] x, int xOffset, int xStride, float[] out,
            int outOffset, int outStride) {
        int blocks = cols / 32;
        FloatVector a0 = FloatVector.zero(F), b0 = FloatVector.zero(F), a1 = FloatVector.zero(F), b1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F), b2 = FloatVector.zero(F), a3 = FloatVector.zero(F), b3 = FloatVector.zero(F);
        int x0 = xOffset, x1 = xOffset + xStride, x2 = xOffset + 2 * xStride, x3 = xOffset + 3 * xStride;
        for (int b = 0; b < blocks; b++) {
            long blk = at + 18L * b;
            int e = 32 * b;
            IntVector t = CENTERED.mul(Float.float16ToFloat(w.get(ScalarKernels.F16, blk))).reinterpretAsInts();
            IntVector q = (IntVector) ByteVector.fromMemorySegment(B, w, blk + 2, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            FloatVector lo = q.selectFrom(t).reinterpretAsFloats();
            FloatVector hi = q.lanewise(VectorOperators.LSHR, 4).selectFrom(t).reinterpretAsFloats();
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
     * Q4_0 rows at bytes at, at + rowBytes, at + 2 rowBytes, at + 3 rowBytes against 4 tokens:
     * out[outOffset + i + k * outStride] = dot(row i, x[xOffset + k * xStride ..]). Register-blocked: each activation
     * vector is loaded once for the 4 rows and each block decoded once for the 4 tokens (32 FMAs per 8 activation loads
     * and 4 block decodes; about 1.4x the 1-row {@link #dot4Q4_0} in a prompt-sized matmul).
     */
    static void dot4x4Q4_0(MemorySegment w, long at, long rowBytes, int cols, float[] x, int xOffset, int xStride,
            float[] out, int outOffset, int outStride) {
        int blocks = cols / 32;
        FloatVector a00 = FloatVector.zero(F), a01 = FloatVector.zero(F), a02 = FloatVector.zero(F), a03 = FloatVector.zero(F);
        FloatVector a10 = FloatVector.zero(F), a11 = FloatVector.zero(F), a12 = FloatVector.zero(F), a13 = FloatVector.zero(F);
        FloatVector a20 = FloatVector.zero(F), a21 = FloatVector.zero(F), a22 = FloatVector.zero(F), a23 = FloatVector.zero(F);
        FloatVector a30 = FloatVector.zero(F), a31 = FloatVector.zero(F), a32 = FloatVector.zero(F), a33 = FloatVector.zero(F);
        int x0 = xOffset + 0 * xStride, x1 = xOffset + 1 * xStride, x2 = xOffset + 2 * xStride, x3 = xOffset + 3 * xStride;
        long r0 = at + 0 * rowBytes, r1 = at + 1 * rowBytes, r2 = at + 2 * rowBytes, r3 = at + 3 * rowBytes;
        for (int b = 0; b < blocks; b++) {
            long o = 18L * b;  // block b of each row
            int e = 32 * b;
            FloatVector xl0 = FloatVector.fromArray(F, x, x0 + e), xh0 = FloatVector.fromArray(F, x, x0 + e + 16);
            FloatVector xl1 = FloatVector.fromArray(F, x, x1 + e), xh1 = FloatVector.fromArray(F, x, x1 + e + 16);
            FloatVector xl2 = FloatVector.fromArray(F, x, x2 + e), xh2 = FloatVector.fromArray(F, x, x2 + e + 16);
            FloatVector xl3 = FloatVector.fromArray(F, x, x3 + e), xh3 = FloatVector.fromArray(F, x, x3 + e + 16);
            IntVector t0 = CENTERED.mul(Float.float16ToFloat(w.get(ScalarKernels.F16, r0 + o))).reinterpretAsInts();
            IntVector q0 = (IntVector) ByteVector.fromMemorySegment(B, w, r0 + o + 2, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            FloatVector lo0 = q0.selectFrom(t0).reinterpretAsFloats();
            FloatVector hi0 = q0.lanewise(VectorOperators.LSHR, 4).selectFrom(t0).reinterpretAsFloats();
            a00 = hi0.fma(xh0, lo0.fma(xl0, a00));
            a01 = hi0.fma(xh1, lo0.fma(xl1, a01));
            a02 = hi0.fma(xh2, lo0.fma(xl2, a02));
            a03 = hi0.fma(xh3, lo0.fma(xl3, a03));
            IntVector t1 = CENTERED.mul(Float.float16ToFloat(w.get(ScalarKernels.F16, r1 + o))).reinterpretAsInts();
            IntVector q1 = (IntVector) ByteVector.fromMemorySegment(B, w, r1 + o + 2, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            FloatVector lo1 = q1.selectFrom(t1).reinterpretAsFloats();
            FloatVector hi1 = q1.lanewise(VectorOperators.LSHR, 4).selectFrom(t1).reinterpretAsFloats();
            a10 = hi1.fma(xh0, lo1.fma(xl0, a10));
            a11 = hi1.fma(xh1, lo1.fma(xl1, a11));
            a12 = hi1.fma(xh2, lo1.fma(xl2, a12));
            a13 = hi1.fma(xh3, lo1.fma(xl3, a13));
            IntVector t2 = CENTERED.mul(Float.float16ToFloat(w.get(ScalarKernels.F16, r2 + o))).reinterpretAsInts();
            IntVector q2 = (IntVector) ByteVector.fromMemorySegment(B, w, r2 + o + 2, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            FloatVector lo2 = q2.selectFrom(t2).reinterpretAsFloats();
            FloatVector hi2 = q2.lanewise(VectorOperators.LSHR, 4).selectFrom(t2).reinterpretAsFloats();
            a20 = hi2.fma(xh0, lo2.fma(xl0, a20));
            a21 = hi2.fma(xh1, lo2.fma(xl1, a21));
            a22 = hi2.fma(xh2, lo2.fma(xl2, a22));
            a23 = hi2.fma(xh3, lo2.fma(xl3, a23));
            IntVector t3 = CENTERED.mul(Float.float16ToFloat(w.get(ScalarKernels.F16, r3 + o))).reinterpretAsInts();
            IntVector q3 = (IntVector) ByteVector.fromMemorySegment(B, w, r3 + o + 2, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            FloatVector lo3 = q3.selectFrom(t3).reinterpretAsFloats();
            FloatVector hi3 = q3.lanewise(VectorOperators.LSHR, 4).selectFrom(t3).reinterpretAsFloats();
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

    /** Q4_K: chunk c of 32 quant bytes holds sub-block 2c in its low nibbles and 2c + 1 in its high nibbles. */
    static float dotQ4_K(MemorySegment w, long at, int cols, float[] x, int xOffset) {
        int blocks = cols / 256;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long blk = at + 144L * b;
            float d = Float.float16ToFloat(w.get(ScalarKernels.F16, blk));
            float dmin = Float.float16ToFloat(w.get(ScalarKernels.F16, blk + 2));
            long scales = KQuantKernels.packedScales(w, blk + 4);
            long mins = KQuantKernels.packedMins(w, blk + 4);
            for (int c = 0; c < 4; c++) {
                IntVector tLo = IOTA.fma(d * (int) ((scales >>> (8 * (2 * c))) & 0xFF), -dmin * (int) ((mins >>> (8 * (2 * c))) & 0xFF)).reinterpretAsInts();
                IntVector tHi = IOTA.fma(d * (int) ((scales >>> (8 * (2 * c + 1))) & 0xFF), -dmin * (int) ((mins >>> (8 * (2 * c + 1))) & 0xFF)).reinterpretAsInts();
                IntVector q0 = (IntVector) ByteVector.fromMemorySegment(B, w, blk + 16 + 32 * c, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                IntVector q1 = (IntVector) ByteVector.fromMemorySegment(B, w, blk + 32 + 32 * c, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                int xc = xOffset + 256 * b + 64 * c;
                a0 = q0.selectFrom(tLo).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xc), a0);
                a1 = q1.selectFrom(tLo).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xc + 16), a1);
                a2 = q0.lanewise(VectorOperators.LSHR, 4).selectFrom(tHi).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xc + 32), a2);
                a3 = q1.lanewise(VectorOperators.LSHR, 4).selectFrom(tHi).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xc + 48), a3);
            }
        }
        return a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
    }

    /** As {@link #dot4Q4_0} for a Q4_K row. */
    static void dot4Q4_K(MemorySegment w, long at, int cols, float[] x, int xOffset, int xStride, float[] out,
            int outOffset, int outStride) {
        int blocks = cols / 256;
        FloatVector a0 = FloatVector.zero(F), b0 = FloatVector.zero(F), a1 = FloatVector.zero(F), b1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F), b2 = FloatVector.zero(F), a3 = FloatVector.zero(F), b3 = FloatVector.zero(F);
        int x0 = xOffset, x1 = xOffset + xStride, x2 = xOffset + 2 * xStride, x3 = xOffset + 3 * xStride;
        for (int b = 0; b < blocks; b++) {
            long blk = at + 144L * b;
            float d = Float.float16ToFloat(w.get(ScalarKernels.F16, blk));
            float dmin = Float.float16ToFloat(w.get(ScalarKernels.F16, blk + 2));
            long scales = KQuantKernels.packedScales(w, blk + 4);
            long mins = KQuantKernels.packedMins(w, blk + 4);
            for (int c = 0; c < 4; c++) {
                IntVector tLo = IOTA.fma(d * (int) ((scales >>> (8 * (2 * c))) & 0xFF), -dmin * (int) ((mins >>> (8 * (2 * c))) & 0xFF)).reinterpretAsInts();
                IntVector tHi = IOTA.fma(d * (int) ((scales >>> (8 * (2 * c + 1))) & 0xFF), -dmin * (int) ((mins >>> (8 * (2 * c + 1))) & 0xFF)).reinterpretAsInts();
                IntVector q0 = (IntVector) ByteVector.fromMemorySegment(B, w, blk + 16 + 32 * c, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                IntVector q1 = (IntVector) ByteVector.fromMemorySegment(B, w, blk + 32 + 32 * c, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                FloatVector w0 = q0.selectFrom(tLo).reinterpretAsFloats(), w1 = q1.selectFrom(tLo).reinterpretAsFloats(), w2 = q0.lanewise(VectorOperators.LSHR, 4).selectFrom(tHi).reinterpretAsFloats(), w3 = q1.lanewise(VectorOperators.LSHR, 4).selectFrom(tHi).reinterpretAsFloats();
                int e = 256 * b + 64 * c;
                a0 = w0.fma(FloatVector.fromArray(F, x, x0 + e), a0);
                b0 = w1.fma(FloatVector.fromArray(F, x, x0 + e + 16), b0);
                a0 = w2.fma(FloatVector.fromArray(F, x, x0 + e + 32), a0);
                b0 = w3.fma(FloatVector.fromArray(F, x, x0 + e + 48), b0);
                a1 = w0.fma(FloatVector.fromArray(F, x, x1 + e), a1);
                b1 = w1.fma(FloatVector.fromArray(F, x, x1 + e + 16), b1);
                a1 = w2.fma(FloatVector.fromArray(F, x, x1 + e + 32), a1);
                b1 = w3.fma(FloatVector.fromArray(F, x, x1 + e + 48), b1);
                a2 = w0.fma(FloatVector.fromArray(F, x, x2 + e), a2);
                b2 = w1.fma(FloatVector.fromArray(F, x, x2 + e + 16), b2);
                a2 = w2.fma(FloatVector.fromArray(F, x, x2 + e + 32), a2);
                b2 = w3.fma(FloatVector.fromArray(F, x, x2 + e + 48), b2);
                a3 = w0.fma(FloatVector.fromArray(F, x, x3 + e), a3);
                b3 = w1.fma(FloatVector.fromArray(F, x, x3 + e + 16), b3);
                a3 = w2.fma(FloatVector.fromArray(F, x, x3 + e + 32), a3);
                b3 = w3.fma(FloatVector.fromArray(F, x, x3 + e + 48), b3);
            }
        }
        out[outOffset] = a0.add(b0).reduceLanes(VectorOperators.ADD);
        out[outOffset + outStride] = a1.add(b1).reduceLanes(VectorOperators.ADD);
        out[outOffset + 2 * outStride] = a2.add(b2).reduceLanes(VectorOperators.ADD);
        out[outOffset + 3 * outStride] = a3.add(b3).reduceLanes(VectorOperators.ADD);
    }
}
