package dev.hearth.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Vector kernels (and the native forms that run in their place, NativeOps) against their scalar twins on lengths that
 * are not multiples of the vector width and on unaligned offsets. Tolerance: 1e-5 relative-ish (abs 1e-5 on O(1)
 * values): only summation order and exp differ.
 */
class ElementwiseKernelsTest {
    private static final int[] LENGTHS = {1, 3, 7, 15, 17, 31, 33, 64, 67, 129};
    private static final float TOLERANCE = 1e-5f;
    private final Random random = new Random(42);

    private float[] randomArray(int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextGaussian() * scale;
        }
        return a;
    }

    private static void assertClose(float[] a, float[] b, float tol) {
        assertThat(a.length).isEqualTo(b.length);
        for (int i = 0; i < a.length; i++) {
            assertThat(a[i]).as("index " + i).isCloseTo(b[i], within(tol));
        }
    }

    @Test
    void dotAxpyAddScaleAgree() {
        for (int n : LENGTHS) {
            float[] a = randomArray(n + 5, 1);
            float[] b = randomArray(n + 3, 1);
            assertThat(VectorOps.dot(a, 5, b, 3, n)).isCloseTo(VectorOps.dotScalar(a, 5, b, 3, n), within(1e-4f));
            float[] y1 = randomArray(n + 2, 1);
            float[] y2 = y1.clone();
            VectorOps.axpy(0.7f, a, 1, y1, 2, n);
            VectorOps.axpyScalar(0.7f, a, 1, y2, 2, n);
            assertClose(y1, y2, TOLERANCE);
            float[] y3 = y1.clone();
            VectorOps.addInPlace(y1, 1, b, 2, n);
            VectorOps.addInPlaceScalar(y2, 1, b, 2, n);
            VectorOps.addInPlaceVector(y3, 1, b, 2, n);
            assertClose(y1, y2, TOLERANCE);
            assertClose(y3, y2, TOLERANCE);
            VectorOps.scale(y1, 2, 1.3f, n);
            VectorOps.scaleScalar(y2, 2, 1.3f, n);
            assertClose(y1, y2, TOLERANCE);
        }
    }

    @Test
    void rmsNormAgrees() {
        for (int n : LENGTHS) {
            float[] x = randomArray(n + 3, 2);
            float[] w = randomArray(n, 1);
            float[] out1 = new float[n + 1];
            float[] out2 = new float[n + 1];
            float[] out3 = new float[n + 1];
            Norms.rmsNorm(out1, 1, x, 3, w, n, 1e-5f);
            Norms.rmsNormScalar(out2, 1, x, 3, w, n, 1e-5f);
            Norms.rmsNormVector(out3, 1, x, 3, w, n, 1e-5f);
            assertClose(out1, out2, TOLERANCE);
            assertClose(out3, out2, TOLERANCE);
        }
        // definition check: weight 1, x = (3, 4): rms = sqrt(12.5)
        float[] out = new float[2];
        Norms.rmsNorm(out, 0, new float[] {3, 4}, 0, new float[] {1, 1}, 2, 0f);
        assertThat(out[0]).isCloseTo((float) (3 / Math.sqrt(12.5)), within(1e-6f));
    }

    @Test
    void softmaxAgreesAndSumsToOne() {
        for (int n : LENGTHS) {
            float[] a = randomArray(n + 4, 5);
            float[] b = a.clone();
            Softmax.softmax(a, 4, n);
            Softmax.softmaxScalar(b, 4, n);
            assertClose(a, b, TOLERANCE);
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += a[4 + i];
            }
            assertThat(sum).isCloseTo(1.0, within(1e-5));
        }
    }

    @Test
    void swigluAgrees() {
        for (int n : LENGTHS) {
            float[] g1 = randomArray(n, 3);
            float[] g2 = g1.clone();
            float[] up = randomArray(n, 1);
            float[] g3 = g1.clone();
            Activations.swiglu(g1, up, n);
            Activations.swigluScalar(g2, up, n);
            Activations.swigluVector(g3, up, n);
            assertClose(g1, g2, TOLERANCE);
            assertClose(g3, g2, TOLERANCE);
        }
        float[] g = {2f};
        Activations.swigluScalar(g, new float[] {3f}, 1);
        assertThat(g[0]).isCloseTo((float) (2 / (1 + Math.exp(-2)) * 3), within(1e-6f));
    }

    @Test
    void ropeHalvesAgreeAndPairsRotate() {
        for (int half : new int[] {1, 3, 8, 9, 17, 32}) {
            int headSize = 2 * half + 2;  // rotary dims smaller than the head: the tail stays
            double[] freq = Rope.frequencies(10000, 2 * half, null, 1.0);
            float[] cos = new float[half + 1];
            float[] sin = new float[half + 1];
            Rope.fillCosSin(37, freq, cos, sin, 1);
            float[] a = randomArray(3 * headSize + 2, 1);
            float[] b = a.clone();
            float[] c = a.clone();
            Rope.rotateHalves(a, 2, 3, headSize, 2 * half, cos, sin, 1);
            Rope.rotateHalvesScalar(b, 2, 3, headSize, 2 * half, cos, sin, 1);
            Rope.rotateHalvesVector(c, 2, 3, headSize, 2 * half, cos, sin, 1);
            assertClose(a, b, TOLERANCE);
            assertClose(c, b, TOLERANCE);
        }
        // adjacent pair (1, 0) rotated by pos * theta^0 = 1 radian at position 1
        float[] x = {1, 0};
        float[] cos = new float[1];
        float[] sin = new float[1];
        Rope.fillCosSin(1, Rope.frequencies(10000, 2, null, 1.0), cos, sin, 0);
        Rope.rotateAdjacentPairs(x, 0, 1, 2, 2, cos, sin, 0);
        assertThat(x[0]).isCloseTo((float) Math.cos(1), within(1e-6f));
        assertThat(x[1]).isCloseTo((float) Math.sin(1), within(1e-6f));
        // frequency factors divide
        assertThat(Rope.frequencies(100, 4, new float[] {1, 4}, 1.0)[1]).isCloseTo(0.1 / 4, within(1e-12));
    }

    @Test
    void topKPicksLargestInOrder() {
        float[] x = {0.1f, 0.5f, 0.2f, 0.5f, 0.9f};
        int[] idx = new int[3];
        float[] val = new float[3];
        VectorOps.topK(x, 0, 5, 3, idx, 0, val, 0);
        assertThat(idx).containsExactly(4, 1, 3);
        assertThat(val).containsExactly(0.9f, 0.5f, 0.5f);
        VectorOps.normalizeSum(val, 0, 3);
        assertThat(val[0] + val[1] + val[2]).isCloseTo(1f, within(1e-6f));
        assertThat(VectorOps.argmax(x, 0, 5)).isEqualTo(4);
    }

    /**
     * The vector argmax against its scalar twin: vocabulary-sized rows at offsets, the largest in the vector body,
     * in the tail and first, ties (the lowest index wins, also between 0.0 and -0.0), all equal, and NaNs (the
     * scalar rule: a NaN wins only when it is first).
     */
    @Test
    void argmaxMatchesItsScalarTwin() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        for (int n : new int[] {1, 7, 63, 64, 65, 151_936}) {
            float[] x = new float[n + 5];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextGaussian();
            }
            for (int place : new int[] {0, n / 2, n - 1}) {
                float[] y = x.clone();
                y[2 + place] = 100f;
                assertThat(VectorOps.argmax(y, 2, n)).as(n + " at " + place).isEqualTo(place)
                        .isEqualTo(VectorOps.argmaxScalar(y, 2, n));
                if (place > 0) {
                    y[2 + place / 2] = 100f;  // a tie before it: the lower index
                    assertThat(VectorOps.argmax(y, 2, n)).isEqualTo(place / 2)
                            .isEqualTo(VectorOps.argmaxScalar(y, 2, n));
                }
            }
            float[] same = new float[n];
            assertThat(VectorOps.argmax(same, 0, n)).isZero();
            if (n > 3) {
                float[] zeros = new float[n];
                java.util.Arrays.fill(zeros, -1f);
                zeros[n - 2] = -0.0f;
                zeros[n - 1] = 0.0f;
                assertThat(VectorOps.argmax(zeros, 0, n)).isEqualTo(VectorOps.argmaxScalar(zeros, 0, n))
                        .isEqualTo(n - 2);
                float[] nan = x.clone();
                nan[n / 2] = Float.NaN;
                assertThat(VectorOps.argmax(nan, 0, n)).isEqualTo(VectorOps.argmaxScalar(nan, 0, n));
                nan[0] = Float.NaN;
                assertThat(VectorOps.argmax(nan, 0, n)).isZero().isEqualTo(VectorOps.argmaxScalar(nan, 0, n));
                int lanes = VectorOps.SPECIES.length();
                if (n > 2 * lanes) {  // a NaN in a lane's first place, that lane's later value the largest
                    float[] stuck = x.clone();
                    stuck[1] = Float.NaN;
                    stuck[lanes + 1] = 100f;
                    assertThat(VectorOps.argmax(stuck, 0, n)).isEqualTo(lanes + 1)
                            .isEqualTo(VectorOps.argmaxScalar(stuck, 0, n));
                }
            }
        }
    }

    /** firstAbove against its scalar twin: every start, thresholds between the values, NaNs never above. */
    @Test
    void firstAboveMatchesItsScalarTwin() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(11);
        float[] x = new float[203];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        x[77] = Float.NaN;
        for (float threshold : new float[] {-10f, 0f, 1.5f, 2.5f, 10f, Float.NaN}) {
            for (int from = 0; from <= x.length; from++) {
                assertThat(VectorOps.firstAbove(x, from, x.length, threshold)).as(threshold + " from " + from)
                        .isEqualTo(VectorOps.firstAboveScalar(x, from, x.length, threshold));
            }
        }
        assertThat(VectorOps.firstAbove(x, 0, x.length, 10f)).isEqualTo(x.length);
    }
}
