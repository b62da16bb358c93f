package dev.hearth.kernel;

import static dev.hearth.kernel.Lanes.LE;

import dev.hearth.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matmuls of many tokens (prompt chunks, batched decode) as a float GEMM, for 16-lane vectors (AVX-512). The
 * activations are transposed once per call so that 16 tokens sit in one vector ({@code xt[k * mp + t]}); a tile of
 * {@link #TILE} weight rows is decoded once into floats and multiplied with every token block by a register-blocked
 * micro-kernel: 12 rows x 32 tokens, 24 accumulators, one broadcast per weight and two FMAs per broadcast. Decoding
 * costs one pass over the tile's bytes for all tokens; the inner loop is FMAs only (about 2x the 4x4 block kernels in a
 * prompt-sized matmul). The reduction dimension is walked in blocks of {@link KernelTuning#K_BLOCK} so that the
 * activations of one token block stay in the core's cache.
 */
final class GemmKernels {
    private GemmKernels() {}

    static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_512;
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_128;
    /** True where the preferred float vector has 16 lanes. */
    static final boolean SUPPORTED = Lanes.L == 16;
    /** Weight rows per tile (the micro-kernel's height). */
    static final int TILE = 12;
    /** Tokens per register block; token counts are padded to a multiple of {@link #TOKEN_LANES} in xt. */
    static final int TOKEN_LANES = 16;
    /**
     * Whether a call of {@code numTokens} tokens runs as a float GEMM ({@link KernelTuning#GEMM_TOKENS}). Here, not in
     * {@link Kernels}, because {@link MatmulTask} asks it per call and Kernels itself builds on MatmulTask.
     */
    static boolean runs(int numTokens) {
        return SUPPORTED && KernelTuning.GEMM_TOKENS > 0 && numTokens >= KernelTuning.GEMM_TOKENS;
    }

    /** Tokens rounded up to the lane count: the width of xt. */
    static int paddedTokens(int numTokens) {
        return (numTokens + TOKEN_LANES - 1) / TOKEN_LANES * TOKEN_LANES;
    }

    /** xt[k * mp + t] = x[t * cols + k] for t &lt; numTokens; the padding tokens (numTokens &lt;= t &lt; mp) are 0. */
    static void transpose(float[] x, int numTokens, int cols, float[] xt, int mp) {
        for (int t0 = 0; t0 < mp; t0 += 8) {  // 8 tokens at a time: 8 read streams, one 32-byte write per column
            int tn = Math.min(8, numTokens - t0);
            for (int k = 0; k < cols; k++) {
                int o = k * mp + t0;
                for (int j = 0; j < 8; j++) {
                    xt[o + j] = j < tn ? x[(t0 + j) * cols + k] : 0f;
                }
            }
        }
    }

    /**
     * Decodes one weight row of {@code cols} values at byte {@code at} into dst[off..off + cols) (s: the row's block
     * scale table for Q4_0, or null). Vectorized for Q4_0, Q8_0, Q4_K and Q6_K; other types go through the scalar
     * dequantizer.
     */
    static void decodeRow(GgmlType type, MemorySegment w, long at, int cols, float[] dst, int off, float[] s, int so) {
        switch (type) {
            case Q4_0 -> decodeQ4_0(w, at, cols, dst, off, s, so);
            case Q8_0 -> decodeQ8_0(w, at, cols, dst, off);
            case Q4_K -> decodeQ4_K(w, at, cols, dst, off);
            case Q6_K -> decodeQ6_K(w, at, cols, dst, off);
            default -> ScalarKernels.dequantize(type, w, at, dst, off, cols);
        }
    }

    private static final FloatVector CENTERED = FloatVector.fromArray(F,
            new float[] {-8, -7, -6, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7}, 0);
    private static final FloatVector IOTA = CENTERED.add(8f);

    static void decodeQ4_0(MemorySegment w, long at, int cols, float[] dst, int off, float[] s, int so) {
        int blocks = cols / 32;
        for (int b = 0; b < blocks; b++) {
            long blk = at + 18L * b;
            float d = s != null ? s[so + b] : Float.float16ToFloat(w.get(ScalarKernels.F16, blk));
            IntVector t = CENTERED.mul(d).reinterpretAsInts();
            IntVector q = (IntVector) ByteVector.fromMemorySegment(B, w, blk + 2, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            q.selectFrom(t).reinterpretAsFloats().intoArray(dst, off + 32 * b);
            q.lanewise(VectorOperators.LSHR, 4).selectFrom(t).reinterpretAsFloats().intoArray(dst, off + 32 * b + 16);
        }
    }

    static void decodeQ8_0(MemorySegment w, long at, int cols, float[] dst, int off) {
        int blocks = cols / 32;
        for (int b = 0; b < blocks; b++) {
            long blk = at + 34L * b;
            float d = Float.float16ToFloat(w.get(ScalarKernels.F16, blk));
            ((FloatVector) ByteVector.fromMemorySegment(B, w, blk + 2, LE).convertShape(VectorOperators.B2F, F, 0)).mul(d).intoArray(dst, off + 32 * b);
            ((FloatVector) ByteVector.fromMemorySegment(B, w, blk + 18, LE).convertShape(VectorOperators.B2F, F, 0)).mul(d).intoArray(dst, off + 32 * b + 16);
        }
    }

    /** Q4_K: chunk c of 32 quant bytes holds sub-block 2c in its low nibbles and 2c + 1 in its high nibbles. */
    static void decodeQ4_K(MemorySegment w, long at, int cols, float[] dst, int off) {
        int blocks = cols / 256;
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
                int e = off + 256 * b + 64 * c;
                q0.selectFrom(tLo).reinterpretAsFloats().intoArray(dst, e);
                q1.selectFrom(tLo).reinterpretAsFloats().intoArray(dst, e + 16);
                q0.lanewise(VectorOperators.LSHR, 4).selectFrom(tHi).reinterpretAsFloats().intoArray(dst, e + 32);
                q1.lanewise(VectorOperators.LSHR, 4).selectFrom(tHi).reinterpretAsFloats().intoArray(dst, e + 48);
            }
        }
    }

    static void decodeQ6_K(MemorySegment w, long at, int cols, float[] dst, int off) {
        int blocks = cols / 256;
        for (int b = 0; b < blocks; b++) {
            long blk = at + 210L * b;
            float d = Float.float16ToFloat(w.get(ScalarKernels.F16, blk + 208));
            for (int n = 0; n < 2; n++) {
                for (int half = 0; half < 2; half++) {
                    long l = 16L * half;
                    ByteVector qlA = ByteVector.fromMemorySegment(B, w, blk + 64 * n + l, LE);
                    ByteVector qlB = ByteVector.fromMemorySegment(B, w, blk + 64 * n + 32 + l, LE);
                    ByteVector qh = ByteVector.fromMemorySegment(B, w, blk + 128 + 32 * n + l, LE);
                    ByteVector q1 = qlA.and((byte) 0x0F).or(qh.lanewise(VectorOperators.LSHL, 4).and((byte) 0x30)).sub((byte) 32);
                    ByteVector q2 = qlB.and((byte) 0x0F).or(qh.lanewise(VectorOperators.LSHL, 2).and((byte) 0x30)).sub((byte) 32);
                    ByteVector q3 = qlA.lanewise(VectorOperators.LSHR, 4).or(qh.and((byte) 0x30)).sub((byte) 32);
                    ByteVector q4 = qlB.lanewise(VectorOperators.LSHR, 4).or(qh.lanewise(VectorOperators.LSHR, 2).and((byte) 0x30)).sub((byte) 32);
                    long sc = blk + 192 + 8 * n + half;
                    int e = off + 256 * b + 128 * n + 16 * half;
                    ((FloatVector) q1.convertShape(VectorOperators.B2F, F, 0)).mul(d * w.get(ValueLayout.JAVA_BYTE, sc)).intoArray(dst, e);
                    ((FloatVector) q2.convertShape(VectorOperators.B2F, F, 0)).mul(d * w.get(ValueLayout.JAVA_BYTE, sc + 2)).intoArray(dst, e + 32);
                    ((FloatVector) q3.convertShape(VectorOperators.B2F, F, 0)).mul(d * w.get(ValueLayout.JAVA_BYTE, sc + 4)).intoArray(dst, e + 64);
                    ((FloatVector) q4.convertShape(VectorOperators.B2F, F, 0)).mul(d * w.get(ValueLayout.JAVA_BYTE, sc + 6)).intoArray(dst, e + 96);
                }
            }
        }
    }

    /**
     * acc[i * mp + t0 + j] += sum over k in [k0, k1) of wt[i * ws + k - k0] * xt[k * mp + t0 + j] for rows i &lt; 12 and
     * tokens j &lt; 32: 24 accumulators in registers, 2 activation loads and 12 weight broadcasts per k.
     */
    static void tile12x32(float[] wt, int ws, float[] xt, int mp, int t0, int k0, int k1, float[] acc) {
        FloatVector a00 = FloatVector.fromArray(F, acc, 0 * mp + t0);
        FloatVector a01 = FloatVector.fromArray(F, acc, 0 * mp + t0 + 16);
        FloatVector a10 = FloatVector.fromArray(F, acc, 1 * mp + t0);
        FloatVector a11 = FloatVector.fromArray(F, acc, 1 * mp + t0 + 16);
        FloatVector a20 = FloatVector.fromArray(F, acc, 2 * mp + t0);
        FloatVector a21 = FloatVector.fromArray(F, acc, 2 * mp + t0 + 16);
        FloatVector a30 = FloatVector.fromArray(F, acc, 3 * mp + t0);
        FloatVector a31 = FloatVector.fromArray(F, acc, 3 * mp + t0 + 16);
        FloatVector a40 = FloatVector.fromArray(F, acc, 4 * mp + t0);
        FloatVector a41 = FloatVector.fromArray(F, acc, 4 * mp + t0 + 16);
        FloatVector a50 = FloatVector.fromArray(F, acc, 5 * mp + t0);
        FloatVector a51 = FloatVector.fromArray(F, acc, 5 * mp + t0 + 16);
        FloatVector a60 = FloatVector.fromArray(F, acc, 6 * mp + t0);
        FloatVector a61 = FloatVector.fromArray(F, acc, 6 * mp + t0 + 16);
        FloatVector a70 = FloatVector.fromArray(F, acc, 7 * mp + t0);
        FloatVector a71 = FloatVector.fromArray(F, acc, 7 * mp + t0 + 16);
        FloatVector a80 = FloatVector.fromArray(F, acc, 8 * mp + t0);
        FloatVector a81 = FloatVector.fromArray(F, acc, 8 * mp + t0 + 16);
        FloatVector a90 = FloatVector.fromArray(F, acc, 9 * mp + t0);
        FloatVector a91 = FloatVector.fromArray(F, acc, 9 * mp + t0 + 16);
        FloatVector aa0 = FloatVector.fromArray(F, acc, 10 * mp + t0);
        FloatVector aa1 = FloatVector.fromArray(F, acc, 10 * mp + t0 + 16);
        FloatVector ab0 = FloatVector.fromArray(F, acc, 11 * mp + t0);
        FloatVector ab1 = FloatVector.fromArray(F, acc, 11 * mp + t0 + 16);
        int w0 = -k0;
        int w1 = 1 * ws - k0;
        int w2 = 2 * ws - k0;
        int w3 = 3 * ws - k0;
        int w4 = 4 * ws - k0;
        int w5 = 5 * ws - k0;
        int w6 = 6 * ws - k0;
        int w7 = 7 * ws - k0;
        int w8 = 8 * ws - k0;
        int w9 = 9 * ws - k0;
        int wa = 10 * ws - k0;
        int wb = 11 * ws - k0;
        for (int k = k0; k < k1; k++) {
            int xo = k * mp + t0;
            FloatVector x0 = FloatVector.fromArray(F, xt, xo);
            FloatVector x1 = FloatVector.fromArray(F, xt, xo + 16);
            FloatVector w;
            w = FloatVector.broadcast(F, wt[w0 + k]); a00 = w.fma(x0, a00); a01 = w.fma(x1, a01);
            w = FloatVector.broadcast(F, wt[w1 + k]); a10 = w.fma(x0, a10); a11 = w.fma(x1, a11);
            w = FloatVector.broadcast(F, wt[w2 + k]); a20 = w.fma(x0, a20); a21 = w.fma(x1, a21);
            w = FloatVector.broadcast(F, wt[w3 + k]); a30 = w.fma(x0, a30); a31 = w.fma(x1, a31);
            w = FloatVector.broadcast(F, wt[w4 + k]); a40 = w.fma(x0, a40); a41 = w.fma(x1, a41);
            w = FloatVector.broadcast(F, wt[w5 + k]); a50 = w.fma(x0, a50); a51 = w.fma(x1, a51);
            w = FloatVector.broadcast(F, wt[w6 + k]); a60 = w.fma(x0, a60); a61 = w.fma(x1, a61);
            w = FloatVector.broadcast(F, wt[w7 + k]); a70 = w.fma(x0, a70); a71 = w.fma(x1, a71);
            w = FloatVector.broadcast(F, wt[w8 + k]); a80 = w.fma(x0, a80); a81 = w.fma(x1, a81);
            w = FloatVector.broadcast(F, wt[w9 + k]); a90 = w.fma(x0, a90); a91 = w.fma(x1, a91);
            w = FloatVector.broadcast(F, wt[wa + k]); aa0 = w.fma(x0, aa0); aa1 = w.fma(x1, aa1);
            w = FloatVector.broadcast(F, wt[wb + k]); ab0 = w.fma(x0, ab0); ab1 = w.fma(x1, ab1);
        }
        a00.intoArray(acc, 0 * mp + t0);
        a01.intoArray(acc, 0 * mp + t0 + 16);
        a10.intoArray(acc, 1 * mp + t0);
        a11.intoArray(acc, 1 * mp + t0 + 16);
        a20.intoArray(acc, 2 * mp + t0);
        a21.intoArray(acc, 2 * mp + t0 + 16);
        a30.intoArray(acc, 3 * mp + t0);
        a31.intoArray(acc, 3 * mp + t0 + 16);
        a40.intoArray(acc, 4 * mp + t0);
        a41.intoArray(acc, 4 * mp + t0 + 16);
        a50.intoArray(acc, 5 * mp + t0);
        a51.intoArray(acc, 5 * mp + t0 + 16);
        a60.intoArray(acc, 6 * mp + t0);
        a61.intoArray(acc, 6 * mp + t0 + 16);
        a70.intoArray(acc, 7 * mp + t0);
        a71.intoArray(acc, 7 * mp + t0 + 16);
        a80.intoArray(acc, 8 * mp + t0);
        a81.intoArray(acc, 8 * mp + t0 + 16);
        a90.intoArray(acc, 9 * mp + t0);
        a91.intoArray(acc, 9 * mp + t0 + 16);
        aa0.intoArray(acc, 10 * mp + t0);
        aa1.intoArray(acc, 10 * mp + t0 + 16);
        ab0.intoArray(acc, 11 * mp + t0);
        ab1.intoArray(acc, 11 * mp + t0 + 16);
    }

    /**
     * acc[i * mp + t0 + j] += sum over k in [k0, k1) of wt[i * ws + k - k0] * xt[k * mp + t0 + j] for rows i &lt; 12 and
     * tokens j &lt; 16: 12 accumulators in registers, 1 activation load and 12 weight broadcasts per k.
     */
    static void tile12x16(float[] wt, int ws, float[] xt, int mp, int t0, int k0, int k1, float[] acc) {
        FloatVector a00 = FloatVector.fromArray(F, acc, 0 * mp + t0);
        FloatVector a10 = FloatVector.fromArray(F, acc, 1 * mp + t0);
        FloatVector a20 = FloatVector.fromArray(F, acc, 2 * mp + t0);
        FloatVector a30 = FloatVector.fromArray(F, acc, 3 * mp + t0);
        FloatVector a40 = FloatVector.fromArray(F, acc, 4 * mp + t0);
        FloatVector a50 = FloatVector.fromArray(F, acc, 5 * mp + t0);
        FloatVector a60 = FloatVector.fromArray(F, acc, 6 * mp + t0);
        FloatVector a70 = FloatVector.fromArray(F, acc, 7 * mp + t0);
        FloatVector a80 = FloatVector.fromArray(F, acc, 8 * mp + t0);
        FloatVector a90 = FloatVector.fromArray(F, acc, 9 * mp + t0);
        FloatVector aa0 = FloatVector.fromArray(F, acc, 10 * mp + t0);
        FloatVector ab0 = FloatVector.fromArray(F, acc, 11 * mp + t0);
        int w0 = -k0;
        int w1 = 1 * ws - k0;
        int w2 = 2 * ws - k0;
        int w3 = 3 * ws - k0;
        int w4 = 4 * ws - k0;
        int w5 = 5 * ws - k0;
        int w6 = 6 * ws - k0;
        int w7 = 7 * ws - k0;
        int w8 = 8 * ws - k0;
        int w9 = 9 * ws - k0;
        int wa = 10 * ws - k0;
        int wb = 11 * ws - k0;
        for (int k = k0; k < k1; k++) {
            int xo = k * mp + t0;
            FloatVector x0 = FloatVector.fromArray(F, xt, xo);
            FloatVector w;
            w = FloatVector.broadcast(F, wt[w0 + k]); a00 = w.fma(x0, a00);
            w = FloatVector.broadcast(F, wt[w1 + k]); a10 = w.fma(x0, a10);
            w = FloatVector.broadcast(F, wt[w2 + k]); a20 = w.fma(x0, a20);
            w = FloatVector.broadcast(F, wt[w3 + k]); a30 = w.fma(x0, a30);
            w = FloatVector.broadcast(F, wt[w4 + k]); a40 = w.fma(x0, a40);
            w = FloatVector.broadcast(F, wt[w5 + k]); a50 = w.fma(x0, a50);
            w = FloatVector.broadcast(F, wt[w6 + k]); a60 = w.fma(x0, a60);
            w = FloatVector.broadcast(F, wt[w7 + k]); a70 = w.fma(x0, a70);
            w = FloatVector.broadcast(F, wt[w8 + k]); a80 = w.fma(x0, a80);
            w = FloatVector.broadcast(F, wt[w9 + k]); a90 = w.fma(x0, a90);
            w = FloatVector.broadcast(F, wt[wa + k]); aa0 = w.fma(x0, aa0);
            w = FloatVector.broadcast(F, wt[wb + k]); ab0 = w.fma(x0, ab0);
        }
        a00.intoArray(acc, 0 * mp + t0);
        a10.intoArray(acc, 1 * mp + t0);
        a20.intoArray(acc, 2 * mp + t0);
        a30.intoArray(acc, 3 * mp + t0);
        a40.intoArray(acc, 4 * mp + t0);
        a50.intoArray(acc, 5 * mp + t0);
        a60.intoArray(acc, 6 * mp + t0);
        a70.intoArray(acc, 7 * mp + t0);
        a80.intoArray(acc, 8 * mp + t0);
        a90.intoArray(acc, 9 * mp + t0);
        aa0.intoArray(acc, 10 * mp + t0);
        ab0.intoArray(acc, 11 * mp + t0);
    }
}
