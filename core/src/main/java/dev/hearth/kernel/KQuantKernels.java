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
 * Dot products of one Q4_K or Q5_K row with float activations. A super-block of 256 has f16 d and dmin, 12 bytes of
 * packed 6-bit scales and mins for 8 sub-blocks of 32, optionally 32 bytes of high bits (Q5_K: bit 2c of qh[l] for
 * element 64c + l, bit 2c + 1 for element 64c + 32 + l), and 128 bytes of nibbles (chunk c of 32 bytes: low nibbles
 * are elements 64c .. 64c + 31, high nibbles 64c + 32 .. 64c + 63). w = d * scale * q - dmin * min, so
 * dot = sum over sub-blocks of d * scale * sum(q * x) - dmin * min * sum(x).
 */
final class KQuantKernels {
    private KQuantKernels() {}

    static float dotQ4_K(MemorySegment w, long at, int cols, float[] x, int xOffset) {
        int blocks = cols / 256;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        FloatVector accMin0 = FloatVector.zero(F);
        FloatVector accMin1 = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long blk = at + 144L * b;
            float d = Float.float16ToFloat(w.get(ScalarKernels.F16, blk));
            float dmin = Float.float16ToFloat(w.get(ScalarKernels.F16, blk + 2));
            long scales = packedScales(w, blk + 4);
            long mins = packedMins(w, blk + 4);
            for (int c = 0; c < 4; c++) {
                int xc = xOffset + 256 * b + 64 * c;
                FloatVector qxLo = FloatVector.zero(F);
                FloatVector qxHi = FloatVector.zero(F);
                FloatVector sxLo = FloatVector.zero(F);
                FloatVector sxHi = FloatVector.zero(F);
                for (int half = 0; half < 2; half++) {
                    ByteVector qs = ByteVector.fromMemorySegment(B16, w, blk + 16 + 32 * c + 16 * half, LE);
                    ByteVector lo = qs.and((byte) 0x0F);
                    ByteVector hi = qs.lanewise(VectorOperators.LSHR, 4);
                    int xh = xc + 16 * half;
                    for (int p = 0; p < PARTS; p++) {
                        FloatVector x0 = FloatVector.fromArray(F, x, xh + p * L);
                        FloatVector x1 = FloatVector.fromArray(F, x, xh + 32 + p * L);
                        qxLo = ((FloatVector) lo.convertShape(VectorOperators.B2F, F, p)).fma(x0, qxLo);
                        qxHi = ((FloatVector) hi.convertShape(VectorOperators.B2F, F, p)).fma(x1, qxHi);
                        sxLo = sxLo.add(x0);
                        sxHi = sxHi.add(x1);
                    }
                }
                acc0 = qxLo.fma(FloatVector.broadcast(F, d * (int) ((scales >>> (16 * c)) & 0xFF)), acc0);
                acc1 = qxHi.fma(FloatVector.broadcast(F, d * (int) ((scales >>> (16 * c + 8)) & 0xFF)), acc1);
                accMin0 = sxLo.fma(FloatVector.broadcast(F, dmin * (int) ((mins >>> (16 * c)) & 0xFF)), accMin0);
                accMin1 = sxHi.fma(FloatVector.broadcast(F, dmin * (int) ((mins >>> (16 * c + 8)) & 0xFF)),
                        accMin1);
            }
        }
        return acc0.add(acc1).sub(accMin0.add(accMin1)).reduceLanes(VectorOperators.ADD);
    }

    /** As Q4_K, with the fifth bit of each quant from qh (32 bytes after the scales). */
    static float dotQ5_K(MemorySegment w, long at, int cols, float[] x, int xOffset) {
        int blocks = cols / 256;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        FloatVector accMin0 = FloatVector.zero(F);
        FloatVector accMin1 = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long blk = at + 176L * b;
            float d = Float.float16ToFloat(w.get(ScalarKernels.F16, blk));
            float dmin = Float.float16ToFloat(w.get(ScalarKernels.F16, blk + 2));
            long scales = packedScales(w, blk + 4);
            long mins = packedMins(w, blk + 4);
            for (int c = 0; c < 4; c++) {
                int xc = xOffset + 256 * b + 64 * c;
                FloatVector qxLo = FloatVector.zero(F);
                FloatVector qxHi = FloatVector.zero(F);
                FloatVector sxLo = FloatVector.zero(F);
                FloatVector sxHi = FloatVector.zero(F);
                for (int half = 0; half < 2; half++) {
                    ByteVector qs = ByteVector.fromMemorySegment(B16, w, blk + 48 + 32 * c + 16 * half, LE);
                    ByteVector bits = ByteVector.fromMemorySegment(B16, w, blk + 16 + 16 * half, LE)
                            .lanewise(VectorOperators.LSHR, 2 * c);
                    ByteVector lo = qs.and((byte) 0x0F).or(bits.lanewise(VectorOperators.LSHL, 4).and((byte) 0x10));
                    ByteVector hi = qs.lanewise(VectorOperators.LSHR, 4)
                            .or(bits.lanewise(VectorOperators.LSHL, 3).and((byte) 0x10));
                    int xh = xc + 16 * half;
                    for (int p = 0; p < PARTS; p++) {
                        FloatVector x0 = FloatVector.fromArray(F, x, xh + p * L);
                        FloatVector x1 = FloatVector.fromArray(F, x, xh + 32 + p * L);
                        qxLo = ((FloatVector) lo.convertShape(VectorOperators.B2F, F, p)).fma(x0, qxLo);
                        qxHi = ((FloatVector) hi.convertShape(VectorOperators.B2F, F, p)).fma(x1, qxHi);
                        sxLo = sxLo.add(x0);
                        sxHi = sxHi.add(x1);
                    }
                }
                acc0 = qxLo.fma(FloatVector.broadcast(F, d * (int) ((scales >>> (16 * c)) & 0xFF)), acc0);
                acc1 = qxHi.fma(FloatVector.broadcast(F, d * (int) ((scales >>> (16 * c + 8)) & 0xFF)), acc1);
                accMin0 = sxLo.fma(FloatVector.broadcast(F, dmin * (int) ((mins >>> (16 * c)) & 0xFF)), accMin0);
                accMin1 = sxHi.fma(FloatVector.broadcast(F, dmin * (int) ((mins >>> (16 * c + 8)) & 0xFF)),
                        accMin1);
            }
        }
        return acc0.add(acc1).sub(accMin0.add(accMin1)).reduceLanes(VectorOperators.ADD);
    }
    /**
     * The 8 six-bit scales of a 12-byte K-quant scales field (get_scale_min_k4), one per byte of the result (scale j in
     * byte j): bytes 0-3 hold scales 0-3 in their low 6 bits; scales 4-7 are the low nibbles of bytes 8-11 with
     * their top 2 bits in the top bits of bytes 0-3. Inline bit arithmetic, so the vector loop makes no calls.
     */
    static long packedScales(MemorySegment w, long at) {
        int q0 = w.get(ScalarKernels.I32, at);
        int q8 = w.get(ScalarKernels.I32, at + 8);
        int low = q0 & 0x3F3F3F3F;
        int high = (q8 & 0x0F0F0F0F) | ((q0 >>> 2) & 0x30303030);
        return (low & 0xFFFFFFFFL) | ((long) high << 32);
    }

    /** The 8 six-bit mins, as {@link #packedScales}: bytes 4-7 low 6 bits; high nibbles of 8-11 plus top bits of 4-7. */
    static long packedMins(MemorySegment w, long at) {
        int q4 = w.get(ScalarKernels.I32, at + 4);
        int q8 = w.get(ScalarKernels.I32, at + 8);
        int low = q4 & 0x3F3F3F3F;
        int high = ((q8 >>> 4) & 0x0F0F0F0F) | ((q4 >>> 2) & 0x30303030);
        return (low & 0xFFFFFFFFL) | ((long) high << 32);
    }
}
