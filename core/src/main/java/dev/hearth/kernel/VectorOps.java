package dev.hearth.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Small element-wise kernels over float rows: dot, axpy, residual add, bias add, F16 conversion, argmax and top-k.
 * Each vector kernel has a scalar twin ({@code *Scalar}) that tests compare it with.
 */
public final class VectorOps {
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> INT_SPECIES = IntVector.SPECIES_PREFERRED;

    private VectorOps() {}

    /** sum of a[ao + i] * b[bo + i] for i in [0, n). */
    public static float dot(float[] a, int ao, float[] b, int bo, int n) {
        FloatVector acc = FloatVector.zero(SPECIES);
        int i = 0;
        int upper = SPECIES.loopBound(n);
        for (; i < upper; i += SPECIES.length()) {
            acc = FloatVector.fromArray(SPECIES, a, ao + i).fma(FloatVector.fromArray(SPECIES, b, bo + i), acc);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += a[ao + i] * b[bo + i];
        }
        return sum;
    }

    public static float dotScalar(float[] a, int ao, float[] b, int bo, int n) {
        float sum = 0;
        for (int i = 0; i < n; i++) {
            sum += a[ao + i] * b[bo + i];
        }
        return sum;
    }

    /** y[yo + i] += a * x[xo + i] for i in [0, n). */
    public static void axpy(float a, float[] x, int xo, float[] y, int yo, int n) {
        FloatVector va = FloatVector.broadcast(SPECIES, a);
        int i = 0;
        int upper = SPECIES.loopBound(n);
        for (; i < upper; i += SPECIES.length()) {
            FloatVector.fromArray(SPECIES, x, xo + i).fma(va, FloatVector.fromArray(SPECIES, y, yo + i))
                    .intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] += a * x[xo + i];
        }
    }

    public static void axpyScalar(float a, float[] x, int xo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) {
            y[yo + i] += a * x[xo + i];
        }
    }

    /** y[yo + i] += x[xo + i] for i in [0, n) (the residual connection). */
    public static void addInPlace(float[] y, int yo, float[] x, int xo, int n) {
        if (NativeOps.AVAILABLE) {
            NativeOps.addRows(y, yo, x, xo, 1, n);
            return;
        }
        addInPlaceVector(y, yo, x, xo, n);
    }

    /** The Vector API form of {@link #addInPlace}, where the native library does not run. */
    static void addInPlaceVector(float[] y, int yo, float[] x, int xo, int n) {
        int i = 0;
        int upper = SPECIES.loopBound(n);
        for (; i < upper; i += SPECIES.length()) {
            FloatVector.fromArray(SPECIES, y, yo + i).add(FloatVector.fromArray(SPECIES, x, xo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] += x[xo + i];
        }
    }

    public static void addInPlaceScalar(float[] y, int yo, float[] x, int xo, int n) {
        for (int i = 0; i < n; i++) {
            y[yo + i] += x[xo + i];
        }
    }

    /** Adds bias[0..rowLength) to each of numRows rows of x (row r starts at r * rowLength). */
    public static void addBiasRows(float[] x, int numRows, int rowLength, float[] bias) {
        if (NativeOps.AVAILABLE) {
            NativeOps.addRows(x, 0, bias, 0, numRows, rowLength);
            return;
        }
        for (int r = 0; r < numRows; r++) {
            addInPlace(x, r * rowLength, bias, 0, rowLength);
        }
    }

    /** x[xo + i] *= a for i in [0, n). */
    public static void scale(float[] x, int xo, float a, int n) {
        int i = 0;
        int upper = SPECIES.loopBound(n);
        for (; i < upper; i += SPECIES.length()) {
            FloatVector.fromArray(SPECIES, x, xo + i).mul(a).intoArray(x, xo + i);
        }
        for (; i < n; i++) {
            x[xo + i] *= a;
        }
    }

    public static void scaleScalar(float[] x, int xo, float a, int n) {
        for (int i = 0; i < n; i++) {
            x[xo + i] *= a;
        }
    }

    /** Fills x[xo .. xo + n) with zero. */
    public static void zero(float[] x, int xo, int n) {
        java.util.Arrays.fill(x, xo, xo + n, 0f);
    }

    /** dst[do + i] = half(src[so + i]) (round to nearest even). */
    public static void toFloat16(float[] src, int so, short[] dst, int dstOffset, int n) {
        for (int i = 0; i < n; i++) {
            dst[dstOffset + i] = Float.floatToFloat16(src[so + i]);
        }
    }

    /** dst[do + i] = float(src[so + i]). */
    public static void fromFloat16(short[] src, int so, float[] dst, int dstOffset, int n) {
        for (int i = 0; i < n; i++) {
            dst[dstOffset + i] = Float.float16ToFloat(src[so + i]);
        }
    }

    /**
     * Index (relative to off) of the largest of x[off .. off + n); the lowest index on ties; as {@link #argmaxScalar}
     * (a NaN never wins unless it is first). One pass: each lane keeps its largest value and where it was, then the
     * lanes are merged. Sampling runs on the engine thread between a GPU's decode steps, over rows of up to 152k
     * logits.
     */
    public static int argmax(float[] x, int off, int n) {
        int lanes = SPECIES.length();
        if (n < 4 * lanes || INT_SPECIES.length() != lanes) {
            return argmaxScalar(x, off, n);
        }
        int upper = SPECIES.loopBound(n);
        FloatVector best = FloatVector.fromArray(SPECIES, x, off);
        IntVector at = IntVector.zero(INT_SPECIES).addIndex(1);
        IntVector bestAt = at;
        IntVector step = IntVector.broadcast(INT_SPECIES, lanes);
        for (int i = lanes; i < upper; i += lanes) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, off + i);
            at = at.add(step);
            VectorMask<Float> larger = v.compare(VectorOperators.GT, best);
            best = best.blend(v, larger);
            bestAt = bestAt.blend(at, larger.cast(INT_SPECIES));
        }
        if (best.test(VectorOperators.IS_NAN).anyTrue()) {
            return argmaxScalar(x, off, n);  // a lane that began at a NaN never moved: the scalar loop's rule
        }
        float value = best.lane(0);
        int index = bestAt.lane(0);
        for (int l = 1; l < lanes; l++) {
            float v = best.lane(l);
            int a = bestAt.lane(l);
            if (v > value || (v == value && a < index)) {
                value = v;
                index = a;
            }
        }
        for (int i = upper; i < n; i++) {
            if (x[off + i] > value) {
                value = x[off + i];
                index = i;
            }
        }
        return index;
    }

    /**
     * The first index i in [from, to) with x[i] > threshold (a NaN never is), else {@code to}: a vector compare a
     * step, so that a scan that almost never stops (top-k's heap over a vocabulary) costs a fraction of a scalar loop.
     */
    public static int firstAbove(float[] x, int from, int to, float threshold) {
        int lanes = SPECIES.length();
        int i = from;
        for (; i + lanes <= to; i += lanes) {
            VectorMask<Float> above = FloatVector.fromArray(SPECIES, x, i).compare(VectorOperators.GT, threshold);
            if (above.anyTrue()) {
                return i + above.firstTrue();
            }
        }
        return firstAboveScalar(x, i, to, threshold);
    }

    /** The scalar twin of {@link #firstAbove}. */
    public static int firstAboveScalar(float[] x, int from, int to, float threshold) {
        for (int i = from; i < to; i++) {
            if (x[i] > threshold) {
                return i;
            }
        }
        return to;
    }

    /** The scalar twin of {@link #argmax}. */
    public static int argmaxScalar(float[] x, int off, int n) {
        int best = 0;
        float bestValue = x[off];
        for (int i = 1; i < n; i++) {
            if (x[off + i] > bestValue) {
                bestValue = x[off + i];
                best = i;
            }
        }
        return best;
    }

    /**
     * The k largest of x[off .. off + n), largest first (lower index first on ties): indices (relative to off) into
     * indices[io ..], values into values[vo ..]. Selection by insertion, for small k.
     */
    public static void topK(float[] x, int off, int n, int k, int[] indices, int io, float[] values, int vo) {
        if (k > n) {
            throw new IllegalArgumentException("top " + k + " of " + n + " values");
        }
        int filled = 0;
        for (int i = 0; i < n; i++) {
            float v = x[off + i];
            if (filled == k && !(v > values[vo + k - 1])) {
                continue;
            }
            int j = filled < k ? filled++ : k - 1;
            while (j > 0 && v > values[vo + j - 1]) {
                values[vo + j] = values[vo + j - 1];
                indices[io + j] = indices[io + j - 1];
                j--;
            }
            values[vo + j] = v;
            indices[io + j] = i;
        }
    }

    /** Divides x[off .. off + n) by its sum. */
    public static void normalizeSum(float[] x, int off, int n) {
        float sum = 0;
        for (int i = 0; i < n; i++) {
            sum += x[off + i];
        }
        float inv = 1f / sum;
        for (int i = 0; i < n; i++) {
            x[off + i] *= inv;
        }
    }
}
