package dev.hearth.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Paged attention over native segments (F32, F16, Q8_0) against scalar twins and against a contiguous float64 reference, and the Q8_0 row
 * kernels against theirs, on head sizes and offsets that are not multiples of the vector width or of the Q8_0 block.
 * Tolerances: vector vs scalar 1e-5 (summation order only); F16 storage vs float 5e-3 (relative rounding 2^-11 of
 * O(1) values); Q8_0 storage vs float 4e-2 (a step of max|x|/127 per value, max|x| about 3.5 for N(0,1) rows of 64).
 */
class AttentionTest {
    private final Random random = new Random(7);
    private final Arena arena = Arena.ofAuto();

    /** The floats in native memory, as the KV cache holds its F32 pool. */
    private MemorySegment native32(float[] a) {
        MemorySegment s = arena.allocate((long) a.length * Float.BYTES, 64);
        MemorySegment.copy(a, 0, s, ValueLayout.JAVA_FLOAT, 0, a.length);
        return s;
    }

    private float[] gaussian(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextGaussian();
        }
        return a;
    }

    /** A shuffled block table: position j of the sequence lives in pool row blocks[j / bs] * bs + j % bs. */
    private int[] shuffledBlocks(int count, int poolBlocks) {
        int[] all = new int[poolBlocks];
        for (int i = 0; i < poolBlocks; i++) {
            all[i] = i;
        }
        for (int i = poolBlocks - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        return java.util.Arrays.copyOf(all, count);
    }

    /** float64 attention over the positions of the table, reading the float rows. */
    private static double[] reference(float[] q, int qo, float[] keys, float[] values, int[] blocks, int bs, int head,
            int stride, int length, int headSize, float scale) {
        double[] s = new double[length];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < length; j++) {
            int at = (blocks[j / bs] * bs + j % bs) * stride + head;
            for (int i = 0; i < headSize; i++) {
                s[j] += (double) q[qo + i] * keys[at + i];
            }
            s[j] *= scale;
            max = Math.max(max, s[j]);
        }
        double sum = 0;
        for (int j = 0; j < length; j++) {
            s[j] = Math.exp(s[j] - max);
            sum += s[j];
        }
        double[] out = new double[headSize];
        for (int j = 0; j < length; j++) {
            int at = (blocks[j / bs] * bs + j % bs) * stride + head;
            for (int i = 0; i < headSize; i++) {
                out[i] += s[j] / sum * values[at + i];
            }
        }
        return out;
    }

    @Test
    void pagedAttentionAgreesWithScalarTwinsAndReference() {
        int stride = 64;  // kvDim: 4 heads of 16, or 2 of 32 (a Q8_0 block boundary inside or at a head)
        int bs = 5;
        int pool = 16;
        for (int headSize : new int[] {16, 32}) {
            for (int head = 0; head < stride; head += headSize) {
                for (int length : new int[] {1, 4, 5, 13, 40}) {
                    int[] blocks = shuffledBlocks((length + bs - 1) / bs, pool);
                    float[] keys = gaussian(pool * bs * stride);
                    float[] values = gaussian(pool * bs * stride);
                    float[] q = gaussian(headSize + 3);
                    float scale = 0.25f;
                    float[] scores = new float[length];
                    double[] ref = reference(q, 3, keys, values, blocks, bs, head, stride, length, headSize, scale);
                    String where = "head size " + headSize + " head " + head + " length " + length;

                    float[] v32 = new float[headSize + 1];
                    float[] s32 = new float[headSize + 1];
                    MemorySegment k32 = native32(keys);
                    MemorySegment val32 = native32(values);
                    Attention.attendF32(q, 3, k32, val32, blocks, bs, head, stride, length, headSize, scale, scores, v32, 1);
                    Attention.attendF32Scalar(q, 3, k32, val32, blocks, bs, head, stride, length, headSize, scale, scores, s32, 1);
                    assertClose(v32, 1, s32, 1, headSize, 1e-5, where + " F32 vs scalar");
                    float[] w32 = new float[headSize + 1];
                    Attention.attendF32Vector(q, 3, k32, val32, blocks, bs, head, stride, length, headSize, scale, scores, w32, 1);
                    assertClose(w32, 1, s32, 1, headSize, 1e-5, where + " F32 vector vs scalar");
                    assertClose(v32, 1, ref, headSize, 1e-4, where + " F32 vs float64");

                    MemorySegment k16 = arena.allocate(2L * keys.length);
                    MemorySegment val16 = arena.allocate(2L * values.length);
                    SegmentRows.toFloat16(keys, 0, k16, 0, keys.length);
                    SegmentRows.toFloat16(values, 0, val16, 0, values.length);
                    float[] v16 = new float[headSize + 1];
                    float[] sc16 = new float[headSize + 1];
                    float[] row = new float[headSize];
                    Attention.attendF16(q, 3, k16, val16, blocks, bs, head, stride, length, headSize, scale, scores, row, v16, 1);
                    Attention.attendF16Scalar(q, 3, k16, val16, blocks, bs, head, stride, length, headSize, scale, scores, row, sc16, 1);
                    assertClose(v16, 1, sc16, 1, headSize, 1e-5, where + " F16 vs scalar");
                    float[] w16 = new float[headSize + 1];
                    Attention.attendF16Vector(q, 3, k16, val16, blocks, bs, head, stride, length, headSize, scale, scores, row, w16, 1);
                    assertClose(w16, 1, sc16, 1, headSize, 1e-5, where + " F16 vector vs scalar");
                    assertClose(v16, 1, ref, headSize, 5e-3, where + " F16 vs float64");

                    MemorySegment kq = arena.allocate(keys.length);
                    MemorySegment vq = arena.allocate(values.length);
                    MemorySegment ks = arena.allocate(2L * keys.length / 32);
                    MemorySegment vs = arena.allocate(2L * values.length / 32);
                    Q8Rows.quantize(keys, 0, kq, ks, 0, keys.length);
                    Q8Rows.quantize(values, 0, vq, vs, 0, values.length);
                    float[] v8 = new float[headSize + 1];
                    float[] s8 = new float[headSize + 1];
                    Attention.attendQ8(q, 3, kq, ks, vq, vs, blocks, bs, head, stride, length, headSize, scale, scores, v8, 1);
                    Attention.attendQ8Scalar(q, 3, kq, ks, vq, vs, blocks, bs, head, stride, length, headSize, scale, scores, s8, 1);
                    assertClose(v8, 1, s8, 1, headSize, 1e-5, where + " Q8_0 vs scalar");
                    float[] w8 = new float[headSize + 1];
                    Attention.attendQ8Vector(q, 3, kq, ks, vq, vs, blocks, bs, head, stride, length, headSize, scale, scores, w8, 1);
                    assertClose(w8, 1, s8, 1, headSize, 1e-5, where + " Q8_0 vector vs scalar");
                    assertClose(v8, 1, ref, headSize, 4e-2, where + " Q8_0 vs float64");
                }
            }
        }
    }

    @Test
    void q8RowKernelsAgreeWithScalarTwinsAndGgmlRounding() {
        float[] x = gaussian(32 * 7 + 5);
        x[40] = 0;  // a block whose max is one value exactly
        for (int i = 64; i < 96; i++) {
            x[i] = 0;  // an all-zero block: scale 0, quants 0
        }
        int n = 32 * 7;
        MemorySegment qv = arena.allocate(n + 32);
        MemorySegment qs = arena.allocate(n + 32);
        MemorySegment dv = arena.allocate(2L * (n + 32) / 32);
        MemorySegment ds = arena.allocate(2L * (n + 32) / 32);
        Q8Rows.quantize(x, 5, qv, dv, 32, n);
        Q8Rows.quantizeScalar(x, 5, qs, ds, 32, n);
        assertThat(qv.mismatch(qs)).isEqualTo(-1);
        assertThat(dv.mismatch(ds)).isEqualTo(-1);
        for (int b = 1; b <= 7; b++) {
            float amax = 0;
            for (int i = 0; i < 32; i++) {
                amax = Math.max(amax, Math.abs(x[5 + (b - 1) * 32 + i]));
            }
            float d = amax / 127f;
            assertThat(Float.float16ToFloat(dv.getAtIndex(ValueLayout.JAVA_SHORT, b))).isEqualTo(Float.float16ToFloat(Float.floatToFloat16(d)));
            for (int i = 0; i < 32; i++) {
                float v = x[5 + (b - 1) * 32 + i];
                int expected = d == 0 ? 0 : Math.round(Math.abs(v) * (1f / d)) * (v < 0 ? -1 : 1);  // roundf
                assertThat((int) qv.get(ValueLayout.JAVA_BYTE, b * 32 + i)).as("block " + b + " value " + i).isEqualTo(expected);
            }
        }
        float[] dq = new float[n];
        Q8Rows.dequantizeScalar(qv, dv, 32, dq, 0, n);
        for (int i = 0; i < n; i++) {
            float step = Float.float16ToFloat(dv.getAtIndex(ValueLayout.JAVA_SHORT, 1 + i / 32));
            assertThat(dq[i]).isCloseTo(x[5 + i], within(step * 0.5f + 1e-3f * Math.abs(x[5 + i]) + 1e-7f));
        }
        // dot and axpy over ranges starting and ending inside blocks
        float[] y = gaussian(300);
        for (int[] range : new int[][] {{32, 224}, {48, 16}, {40, 100}, {33, 1}, {63, 70}}) {
            int off = range[0];
            int len = range[1];
            float vector = Q8Rows.dot(y, 7, qv, dv, off, len);
            float scalar = Q8Rows.dotScalar(y, 7, qv, dv, off, len);
            double exact = 0;
            float[] deq = new float[len];
            Q8Rows.dequantizeScalar(qv, dv, off, deq, 0, len);
            for (int i = 0; i < len; i++) {
                exact += (double) y[7 + i] * deq[i];
            }
            assertThat(vector).as("dot " + off + "+" + len).isCloseTo(scalar, within(1e-4f));
            assertThat((double) vector).isCloseTo(exact, within(1e-4));
            float[] ya = y.clone();
            float[] yb = y.clone();
            Q8Rows.axpy(0.7f, qv, dv, off, ya, 3, len);
            Q8Rows.axpyScalar(0.7f, qv, dv, off, yb, 3, len);
            for (int i = 0; i < len; i++) {
                assertThat(ya[3 + i]).isCloseTo(yb[3 + i], within(1e-5f));
                assertThat(ya[3 + i]).isCloseTo(y[3 + i] + 0.7f * deq[i], within(1e-5f));
            }
        }
        assertThatThrownBy(() -> Q8Rows.quantize(x, 0, qv, dv, 16, 32)).hasMessageContaining("offset 16");
    }

    private static void assertClose(float[] a, int ao, float[] b, int bo, int n, double tol, String what) {
        for (int i = 0; i < n; i++) {
            assertThat((double) a[ao + i]).as(what + " index " + i).isCloseTo(b[bo + i], within(tol));
        }
    }

    private static void assertClose(float[] a, int ao, double[] ref, int n, double tol, String what) {
        for (int i = 0; i < n; i++) {
            assertThat((double) a[ao + i]).as(what + " index " + i).isCloseTo(ref[i], within(tol));
        }
    }
}
