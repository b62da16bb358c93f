package dev.hearth.kernel;

import static dev.hearth.kernel.Lanes.F;
import static dev.hearth.kernel.Lanes.I;
import static dev.hearth.kernel.Lanes.L;
import static dev.hearth.kernel.Lanes.LE;
import static dev.hearth.kernel.Lanes.S;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/** Dot products of one F32, F16 or BF16 weight row (mapped bytes) with float activations. */
final class FloatKernels {
    private FloatKernels() {}

    /** dot(F32 weights at byte {@code at}, x[xOffset .. xOffset + cols)). */
    static float dotF32(MemorySegment w, long at, int cols, float[] x, int xOffset) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        FloatVector acc2 = FloatVector.zero(F);
        FloatVector acc3 = FloatVector.zero(F);
        int i = 0;
        for (; i + 4 * L <= cols; i += 4 * L) {
            long o = at + 4L * i;
            acc0 = FloatVector.fromMemorySegment(F, w, o, LE).fma(FloatVector.fromArray(F, x, xOffset + i), acc0);
            acc1 = FloatVector.fromMemorySegment(F, w, o + 4L * L, LE)
                    .fma(FloatVector.fromArray(F, x, xOffset + i + L), acc1);
            acc2 = FloatVector.fromMemorySegment(F, w, o + 8L * L, LE)
                    .fma(FloatVector.fromArray(F, x, xOffset + i + 2 * L), acc2);
            acc3 = FloatVector.fromMemorySegment(F, w, o + 12L * L, LE)
                    .fma(FloatVector.fromArray(F, x, xOffset + i + 3 * L), acc3);
        }
        for (; i + L <= cols; i += L) {
            acc0 = FloatVector.fromMemorySegment(F, w, at + 4L * i, LE).fma(FloatVector.fromArray(F, x, xOffset + i), acc0);
        }
        float sum = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
        for (; i < cols; i++) {
            sum += w.get(ScalarKernels.F32, at + 4L * i) * x[xOffset + i];
        }
        return sum;
    }

    /** dot(F16 weights at byte {@code at}, x[xOffset .. xOffset + cols)). */
    static float dotF16(MemorySegment w, long at, int cols, float[] x, int xOffset) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int i = 0;
        for (; i + 2 * L <= cols; i += 2 * L) {
            acc0 = f16(w, at + 2L * i).fma(FloatVector.fromArray(F, x, xOffset + i), acc0);
            acc1 = f16(w, at + 2L * (i + L)).fma(FloatVector.fromArray(F, x, xOffset + i + L), acc1);
        }
        for (; i + L <= cols; i += L) {
            acc0 = f16(w, at + 2L * i).fma(FloatVector.fromArray(F, x, xOffset + i), acc0);
        }
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < cols; i++) {
            sum += Float.float16ToFloat(w.get(ScalarKernels.F16, at + 2L * i)) * x[xOffset + i];
        }
        return sum;
    }

    /**
     * L half floats at byte {@code at} as floats, exactly: the magnitude bits moved into float position and scaled by
     * 2^112 (which also makes half subnormals right); infinities and NaNs get the float all-ones exponent.
     */
    private static FloatVector f16(MemorySegment w, long at) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(S, w, at, LE).convertShape(VectorOperators.S2I, I, 0);
        IntVector magnitude = h.and(0x7fff);
        IntVector shifted = magnitude.lanewise(VectorOperators.LSHL, 13);
        FloatVector value = shifted.reinterpretAsFloats().mul(0x1p112f);
        VectorMask<Integer> special = magnitude.compare(VectorOperators.GE, 0x7c00);
        IntVector bits = value.reinterpretAsInts().blend(shifted.or(0x7f800000), special);
        return bits.or(h.and(0x80000000)).reinterpretAsFloats();
    }

    /** dot(BF16 weights at byte {@code at}, x[xOffset .. xOffset + cols)). */
    static float dotBf16(MemorySegment w, long at, int cols, float[] x, int xOffset) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int i = 0;
        for (; i + 2 * L <= cols; i += 2 * L) {
            acc0 = bf16(w, at + 2L * i).fma(FloatVector.fromArray(F, x, xOffset + i), acc0);
            acc1 = bf16(w, at + 2L * (i + L)).fma(FloatVector.fromArray(F, x, xOffset + i + L), acc1);
        }
        for (; i + L <= cols; i += L) {
            acc0 = bf16(w, at + 2L * i).fma(FloatVector.fromArray(F, x, xOffset + i), acc0);
        }
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < cols; i++) {
            sum += Float16.bf16ToFloat(w.get(ScalarKernels.F16, at + 2L * i)) * x[xOffset + i];
        }
        return sum;
    }

    private static FloatVector bf16(MemorySegment w, long at) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(S, w, at, LE).convertShape(VectorOperators.S2I, I, 0);
        return h.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }
}
