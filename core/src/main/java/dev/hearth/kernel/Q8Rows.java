package dev.hearth.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q8_0 rows as ggml stores them, split into two segments of native memory (the KV cache's pool): blocks of
 * {@link #BLOCK} signed bytes in {@code quants} and one float16 scale per block in {@code scales} (value i of the row
 * space is {@code quants[i] * half(scales[i / 32])}). Offsets below are in values, counted from the start of the
 * segments, so block b covers values [32 b, 32 b + 32).
 * Quantization: d = max|x| / 127, q = round-half-away(x / d), as ggml's quantize_row_q8_0_ref. Every vector kernel has
 * a scalar twin; dot and axpy take any range, even one that starts or ends inside a block (a 16-value attention head).
 */
public final class Q8Rows {
    public static final int BLOCK = 32;
    static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED.length() >= 16
            ? FloatVector.SPECIES_512 : FloatVector.SPECIES_256;
    static final VectorSpecies<Byte> BYTES = FLOATS.length() == 16 ? ByteVector.SPECIES_128 : ByteVector.SPECIES_64;

    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private Q8Rows() {}

    /** Quantizes src[so .. so + n) into values [off, off + n); off and n multiples of 32. */
    public static void quantize(float[] src, int so, MemorySegment quants, MemorySegment scales, long off, int n) {
        checkAligned(off, n);
        int lanes = FLOATS.length();
        for (int b = 0; b < n; b += BLOCK) {
            FloatVector max = FloatVector.zero(FLOATS);
            for (int i = 0; i < BLOCK; i += lanes) {
                FloatVector v = FloatVector.fromArray(FLOATS, src, so + b + i).abs();
                max = max.blend(v, max.compare(VectorOperators.LT, v));  // not max(): see Softmax
            }
            float d = max.reduceLanes(VectorOperators.MAX) / 127f;
            float id = d != 0 ? 1f / d : 0f;
            scales.setAtIndex(HALF, (off + b) / BLOCK, Float.floatToFloat16(d));
            for (int i = 0; i < BLOCK; i += lanes) {
                FloatVector v = FloatVector.fromArray(FLOATS, src, so + b + i).mul(id);
                FloatVector half = FloatVector.broadcast(FLOATS, 0.5f).blend(-0.5f, v.lt(0f));
                v.add(half).convertShape(VectorOperators.F2B, BYTES, 0).reinterpretAsBytes()
                        .intoMemorySegment(quants, off + b + i, ORDER);
            }
        }
    }

    public static void quantizeScalar(float[] src, int so, MemorySegment quants, MemorySegment scales, long off, int n) {
        checkAligned(off, n);
        for (int b = 0; b < n; b += BLOCK) {
            float amax = 0;
            for (int i = 0; i < BLOCK; i++) {
                amax = Math.max(amax, Math.abs(src[so + b + i]));
            }
            float d = amax / 127f;
            float id = d != 0 ? 1f / d : 0f;
            scales.setAtIndex(HALF, (off + b) / BLOCK, Float.floatToFloat16(d));
            for (int i = 0; i < BLOCK; i++) {
                float v = src[so + b + i] * id;
                quants.set(ValueLayout.JAVA_BYTE, off + b + i, (byte) (int) (v + (v < 0 ? -0.5f : 0.5f)));
            }
        }
    }

    /** sum of x[xo + i] * value(off + i) for i in [0, n). */
    public static float dot(float[] x, int xo, MemorySegment quants, MemorySegment scales, long off, int n) {
        float sum = 0;
        int lanes = FLOATS.length();
        for (int done = 0; done < n; ) {
            long at = off + done;
            int m = (int) Math.min(n - done, BLOCK - at % BLOCK);  // the part of this range inside one block
            FloatVector acc = FloatVector.zero(FLOATS);
            int i = 0;
            for (; i + lanes <= m; i += lanes) {
                FloatVector q = (FloatVector) ByteVector.fromMemorySegment(BYTES, quants, at + i, ORDER)
                        .convertShape(VectorOperators.B2F, FLOATS, 0);
                acc = q.fma(FloatVector.fromArray(FLOATS, x, xo + done + i), acc);
            }
            float part = acc.reduceLanes(VectorOperators.ADD);
            for (; i < m; i++) {
                part += quants.get(ValueLayout.JAVA_BYTE, at + i) * x[xo + done + i];
            }
            sum += part * Float.float16ToFloat(scales.getAtIndex(HALF, at / BLOCK));
            done += m;
        }
        return sum;
    }

    public static float dotScalar(float[] x, int xo, MemorySegment quants, MemorySegment scales, long off, int n) {
        float sum = 0;
        for (int done = 0; done < n; ) {
            long at = off + done;
            int m = (int) Math.min(n - done, BLOCK - at % BLOCK);
            float part = 0;
            for (int i = 0; i < m; i++) {
                part += quants.get(ValueLayout.JAVA_BYTE, at + i) * x[xo + done + i];
            }
            sum += part * Float.float16ToFloat(scales.getAtIndex(HALF, at / BLOCK));
            done += m;
        }
        return sum;
    }

    /** y[yo + i] += a * value(off + i) for i in [0, n). */
    public static void axpy(float a, MemorySegment quants, MemorySegment scales, long off, float[] y, int yo, int n) {
        int lanes = FLOATS.length();
        for (int done = 0; done < n; ) {
            long at = off + done;
            int m = (int) Math.min(n - done, BLOCK - at % BLOCK);
            float ad = a * Float.float16ToFloat(scales.getAtIndex(HALF, at / BLOCK));
            FloatVector va = FloatVector.broadcast(FLOATS, ad);
            int i = 0;
            for (; i + lanes <= m; i += lanes) {
                FloatVector q = (FloatVector) ByteVector.fromMemorySegment(BYTES, quants, at + i, ORDER)
                        .convertShape(VectorOperators.B2F, FLOATS, 0);
                q.fma(va, FloatVector.fromArray(FLOATS, y, yo + done + i)).intoArray(y, yo + done + i);
            }
            for (; i < m; i++) {
                y[yo + done + i] += ad * quants.get(ValueLayout.JAVA_BYTE, at + i);
            }
            done += m;
        }
    }

    public static void axpyScalar(float a, MemorySegment quants, MemorySegment scales, long off, float[] y, int yo, int n) {
        for (int done = 0; done < n; ) {
            long at = off + done;
            int m = (int) Math.min(n - done, BLOCK - at % BLOCK);
            float ad = a * Float.float16ToFloat(scales.getAtIndex(HALF, at / BLOCK));
            for (int i = 0; i < m; i++) {
                y[yo + done + i] += ad * quants.get(ValueLayout.JAVA_BYTE, at + i);
            }
            done += m;
        }
    }

    /** dst[do + i] = value(off + i) for i in [0, n). */
    public static void dequantizeScalar(MemorySegment quants, MemorySegment scales, long off, float[] dst, int dstOffset, int n) {
        for (int i = 0; i < n; i++) {
            dst[dstOffset + i] = quants.get(ValueLayout.JAVA_BYTE, off + i) * Float.float16ToFloat(scales.getAtIndex(HALF, (off + i) / BLOCK));
        }
    }

    private static void checkAligned(long off, int n) {
        if (off % BLOCK != 0 || n % BLOCK != 0) {
            throw new IllegalArgumentException("Q8_0 rows are quantized in whole blocks of " + BLOCK
                    + " values; got offset " + off + " and length " + n);
        }
    }
}
