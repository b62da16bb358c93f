package dev.hearth.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float32 and float16 rows in native memory (the KV cache's pool): dot, axpy and the float16 conversions, with the
 * float side in a Java array. Offsets into a segment count values, not bytes. Each vector kernel has a scalar twin.
 */
public final class SegmentRows {
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED;

    private SegmentRows() {}

    /** sum of a[ao + i] * b[bo + i] for i in [0, n), b float32 values of the segment. */
    public static float dot(float[] a, int ao, MemorySegment b, long bo, int n) {
        FloatVector acc = FloatVector.zero(SPECIES);
        int i = 0;
        int upper = SPECIES.loopBound(n);
        long bytes = bo * Float.BYTES;
        for (; i < upper; i += SPECIES.length()) {
            acc = FloatVector.fromArray(SPECIES, a, ao + i)
                    .fma(FloatVector.fromMemorySegment(SPECIES, b, bytes + (long) i * Float.BYTES, ORDER), acc);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += a[ao + i] * b.getAtIndex(FLOAT, bo + i);
        }
        return sum;
    }

    public static float dotScalar(float[] a, int ao, MemorySegment b, long bo, int n) {
        float sum = 0;
        for (int i = 0; i < n; i++) {
            sum += a[ao + i] * b.getAtIndex(FLOAT, bo + i);
        }
        return sum;
    }

    /** y[yo + i] += a * x[xo + i] for i in [0, n), x float32 values of the segment. */
    public static void axpy(float a, MemorySegment x, long xo, float[] y, int yo, int n) {
        FloatVector va = FloatVector.broadcast(SPECIES, a);
        int i = 0;
        int upper = SPECIES.loopBound(n);
        long bytes = xo * Float.BYTES;
        for (; i < upper; i += SPECIES.length()) {
            FloatVector.fromMemorySegment(SPECIES, x, bytes + (long) i * Float.BYTES, ORDER)
                    .fma(va, FloatVector.fromArray(SPECIES, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] += a * x.getAtIndex(FLOAT, xo + i);
        }
    }

    public static void axpyScalar(float a, MemorySegment x, long xo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) {
            y[yo + i] += a * x.getAtIndex(FLOAT, xo + i);
        }
    }

    /** float32 values [dstOffset, dstOffset + n) of the segment = src[so .. so + n). */
    public static void store(float[] src, int so, MemorySegment dst, long dstOffset, int n) {
        MemorySegment.copy(src, so, dst, FLOAT, dstOffset * Float.BYTES, n);
    }

    /** float16 values [dstOffset, dstOffset + n) of the segment = half(src[so + i]) (round to nearest even). */
    public static void toFloat16(float[] src, int so, MemorySegment dst, long dstOffset, int n) {
        for (int i = 0; i < n; i++) {
            dst.setAtIndex(HALF, dstOffset + i, Float.floatToFloat16(src[so + i]));
        }
    }

    /** dst[dstOffset + i] = float(float16 value so + i of the segment). */
    public static void fromFloat16(MemorySegment src, long so, float[] dst, int dstOffset, int n) {
        for (int i = 0; i < n; i++) {
            dst[dstOffset + i] = Float.float16ToFloat(src.getAtIndex(HALF, so + i));
        }
    }
}
