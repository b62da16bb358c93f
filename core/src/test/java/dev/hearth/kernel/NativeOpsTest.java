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
 * The native float operations (hearth_ops.c) against their scalar twins where ElementwiseKernelsTest and AttentionTest
 * do not reach: several rows at once, exp over its whole range (SwiGLU of -100..100), softmax over more positions than
 * a vector holds, Q8_0 heads that start inside an 8-value run, and the bounds the wrappers check. They run wherever
 * the native matmuls do (NativeKernelsTest says where that must be).
 */
class NativeOpsTest {
    private final Random random = new Random(11);

    private float[] gaussian(int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextGaussian() * scale;
        }
        return a;
    }

    /** Where the native matmuls run (NativeKernelsTest), unless -Dhearth.kernel.nativeOps=false. */
    private static boolean expected() throws java.io.IOException {
        return NativeKernelsTest.nativeExpected() && !"false".equals(System.getProperty("hearth.kernel.nativeOps"));
    }

    @Test
    void runWhereTheNativeMatmulsRun() throws java.io.IOException {
        assertThat(NativeOps.AVAILABLE).as(NativeKernels.status()).isEqualTo(expected());
    }

    @Test
    void rmsNormOfManyRowsMatchesTheScalarTwinRowByRow() {
        int rows = 5;
        for (int n : new int[] {1, 9, 16, 40, 5120}) {
            float[] x = gaussian(rows * n, 3);
            float[] w = gaussian(n, 1);
            float[] out = new float[rows * n];
            float[] twin = new float[rows * n];
            Norms.rmsNormRows(out, x, w, rows, n, 1e-6f);
            for (int r = 0; r < rows; r++) {
                Norms.rmsNormScalar(twin, r * n, x, r * n, w, n, 1e-6f);
            }
            for (int i = 0; i < out.length; i++) {
                assertThat(out[i]).as("n " + n + " value " + i)
                        .isCloseTo(twin[i], within(2e-5f * Math.max(1, Math.abs(twin[i]))));
            }
            Norms.rmsNormRows(x, x, w, rows, n, 1e-6f);  // in place
            assertThat(x).containsExactly(out);
        }
    }

    @Test
    void biasRowsAddTheSameRowToEach() {
        float[] x = gaussian(3 * 13, 1);
        float[] bias = gaussian(13, 1);
        float[] expected = x.clone();
        for (int r = 0; r < 3; r++) {
            VectorOps.addInPlaceScalar(expected, r * 13, bias, 0, 13);
        }
        VectorOps.addBiasRows(x, 3, 13, bias);
        assertThat(x).containsExactly(expected);
    }

    @Test
    void swigluHoldsOverExpsWholeRange() {
        int n = 2001;
        float[] gate = new float[n];
        for (int i = 0; i < n; i++) {
            gate[i] = -100f + 0.1f * i;
        }
        float[] up = gaussian(n, 1);
        float[] twin = gate.clone();
        Activations.swiglu(gate, up, n);
        Activations.swigluScalar(twin, up, n);
        for (int i = 0; i < n; i++) {
            assertThat(gate[i]).as("gate " + (-100f + 0.1f * i)).isCloseTo(twin[i],
                    within(2e-6f * Math.max(1, Math.abs(twin[i]))));
        }
    }

    @Test
    void ropeWithFewerRotaryDimensionsThanTheHeadLeavesTheTail() {
        int headSize = 128;
        int rotary = 64;
        float[] cos = gaussian(rotary / 2 + 3, 1);
        float[] sin = gaussian(rotary / 2 + 3, 1);
        float[] x = gaussian(4 * headSize + 1, 1);
        float[] twin = x.clone();
        Rope.rotateHalves(x, 1, 4, headSize, rotary, cos, sin, 3);
        Rope.rotateHalvesScalar(twin, 1, 4, headSize, rotary, cos, sin, 3);
        for (int i = 0; i < x.length; i++) {
            assertThat(x[i]).as("value " + i).isCloseTo(twin[i], within(1e-5f));
        }
    }

    @Test
    void attentionOverManyPositionsAndUnalignedQ8HeadsMatchesTheScalarTwins() {
        try (Arena arena = Arena.ofConfined()) {
            int bs = 16;
            int pool = 40;
            int length = 600;  // the softmax's 8-wide loop and its tail
            int[] blocks = new int[(length + bs - 1) / bs];
            for (int b = 0; b < blocks.length; b++) {
                blocks[b] = (b * 7) % pool;
            }
            // stride, head size, head offset: aligned F32 and Q8_0, and Q8_0 heads starting inside an 8-value run
            for (int[] shape : new int[][] {{256, 128, 128}, {72, 24, 12}, {72, 24, 36}}) {
                int stride = shape[0];
                int headSize = shape[1];
                int head = shape[2];
                float[] keys = gaussian(pool * bs * stride, 1);
                float[] values = gaussian(pool * bs * stride, 1);
                float[] q = gaussian(headSize, 1);
                float scale = (float) (1 / Math.sqrt(headSize));
                float[] scores = new float[length];
                float[] out = new float[headSize];
                float[] twin = new float[headSize];
                MemorySegment k = arena.allocate((long) keys.length * Float.BYTES);
                MemorySegment v = arena.allocate((long) values.length * Float.BYTES);
                MemorySegment.copy(keys, 0, k, ValueLayout.JAVA_FLOAT, 0, keys.length);
                MemorySegment.copy(values, 0, v, ValueLayout.JAVA_FLOAT, 0, values.length);
                Attention.attendF32(q, 0, k, v, blocks, bs, head, stride, length, headSize, scale, scores, out, 0);
                Attention.attendF32Scalar(q, 0, k, v, blocks, bs, head, stride, length, headSize, scale, scores, twin,
                        0);
                assertClose(out, twin, "F32 " + headSize);

                MemorySegment kq = arena.allocate(keys.length);
                MemorySegment vq = arena.allocate(values.length);
                MemorySegment ks = arena.allocate(2L * keys.length / 32);
                MemorySegment vs = arena.allocate(2L * values.length / 32);
                Q8Rows.quantize(keys, 0, kq, ks, 0, keys.length);
                Q8Rows.quantize(values, 0, vq, vs, 0, values.length);
                Attention.attendQ8(q, 0, kq, ks, vq, vs, blocks, bs, head, stride, length, headSize, scale, scores,
                        out, 0);
                Attention.attendQ8Scalar(q, 0, kq, ks, vq, vs, blocks, bs, head, stride, length, headSize, scale,
                        scores, twin, 0);
                assertClose(out, twin, "Q8_0 " + headSize + " at " + head);
            }
        }
    }

    @Test
    void boundsAreCheckedBeforeTheNativeCodeRuns() throws java.io.IOException {
        assertThat(NativeOps.AVAILABLE).isEqualTo(expected());
        if (!expected()) {
            return;  // the Vector API forms run: Java's own bounds checks hold
        }
        assertThatThrownBy(() -> NativeOps.rmsNormRows(new float[8], 0, new float[8], 0, new float[4], 2, 8, 1e-5f))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> NativeOps.addRows(new float[8], 1, new float[8], 0, 1, 8))
                .isInstanceOf(IndexOutOfBoundsException.class);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment kv = arena.allocate(4L * 16 * 8);  // 16 rows of 8 floats
            assertThatThrownBy(() -> NativeOps.attend(NativeOps.KV_F32, new float[8], 0, kv, null, kv, null,
                    new int[] {1}, 16, 0, 8, 3, 8, 1f, new float[3], new float[8], 0))
                    .isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("past the KV cache");
            assertThatThrownBy(() -> NativeOps.attend(NativeOps.KV_F32, new float[8], 0, kv, null, kv, null,
                    new int[] {0}, 16, -4, 8, 3, 8, 1f, new float[3], new float[8], 0))
                    .isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    private static void assertClose(float[] a, float[] b, String what) {
        for (int i = 0; i < a.length; i++) {
            assertThat(a[i]).as(what + " value " + i).isCloseTo(b[i], within(1e-5f));
        }
    }
}
