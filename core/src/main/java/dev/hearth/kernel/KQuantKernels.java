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
        return dotK(w, at, cols, x, xOffset, false);
    }

    static float dotQ5_K(MemorySegment w, long at, int cols, float[] x, int xOffset) {
        return dotK(w, at, cols, x, xOffset, true);
    }

    private static float dotK(MemorySegment w, long at, int cols, float[] x, int xOffset, boolean five) {
        int blocks = cols / 256;
        int blockBytes = five ? 176 : 144;
        long qsOffset = five ? 48 : 16;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        FloatVector accMin0 = FloatVector.zero(F);
        FloatVector accMin1 = FloatVector.zero(F);
        ByteVector zero = ByteVector.zero(B16);
        for (int b = 0; b < blocks; b++) {
            long blk = at + (long) blockBytes * b;
            float d = Float.float16ToFloat(w.get(ScalarKernels.F16, blk));
            float dmin = Float.float16ToFloat(w.get(ScalarKernels.F16, blk + 2));
            long scales = blk + 4;
            ByteVector qh0 = five ? ByteVector.fromMemorySegment(B16, w, blk + 16, LE) : zero;
            ByteVector qh1 = five ? ByteVector.fromMemorySegment(B16, w, blk + 32, LE) : zero;
            for (int c = 0; c < 4; c++) {
                int xc = xOffset + 256 * b + 64 * c;
                FloatVector qxLo = FloatVector.zero(F);
                FloatVector qxHi = FloatVector.zero(F);
                FloatVector sxLo = FloatVector.zero(F);
                FloatVector sxHi = FloatVector.zero(F);
                for (int half = 0; half < 2; half++) {
                    ByteVector qs = ByteVector.fromMemorySegment(B16, w, blk + qsOffset + 32 * c + 16 * half, LE);
                    ByteVector lo = qs.and((byte) 0x0F);
                    ByteVector hi = qs.lanewise(VectorOperators.LSHR, 4);
                    if (five) {
                        ByteVector bits = (half == 0 ? qh0 : qh1).lanewise(VectorOperators.LSHR, 2 * c);
                        lo = lo.or(bits.lanewise(VectorOperators.LSHL, 4).and((byte) 0x10));
                        hi = hi.or(bits.lanewise(VectorOperators.LSHL, 3).and((byte) 0x10));
                    }
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
                acc0 = qxLo.fma(FloatVector.broadcast(F, d * ScalarKernels.scaleK4(w, scales, 2 * c)), acc0);
                acc1 = qxHi.fma(FloatVector.broadcast(F, d * ScalarKernels.scaleK4(w, scales, 2 * c + 1)), acc1);
                accMin0 = sxLo.fma(FloatVector.broadcast(F, dmin * ScalarKernels.minK4(w, scales, 2 * c)), accMin0);
                accMin1 = sxHi.fma(FloatVector.broadcast(F, dmin * ScalarKernels.minK4(w, scales, 2 * c + 1)),
                        accMin1);
            }
        }
        return acc0.add(acc1).sub(accMin0.add(accMin1)).reduceLanes(VectorOperators.ADD);
    }
}
