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
