package dev.hearth.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.hearth.gguf.GgmlType;
import dev.hearth.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Two or three matrices over one input in one parallel pass give exactly what separate matmuls give. */
class MultiPartMatmulTest {
    private static final ComputePool POOL = new ComputePool(2);

    @AfterAll
    static void closePool() {
        POOL.close();
    }

    private static WeightMatrix matrix(GgmlType type, int rows, int cols, long seed) {
        return RandomBlocks.matrix(type, rows, cols, 0, seed, Arena.ofAuto());
    }

    @Test
    void threeMatricesOfDifferentTypesAndHeightsMatchSeparateCalls() {
        int cols = 256;
        for (int tokens : new int[] {1, 4, 7, 17}) {  // 17: native parts beside a Java GEMM part
            WeightMatrix q = matrix(GgmlType.Q4_0, 67, cols, 1);
            WeightMatrix k = matrix(GgmlType.Q8_0, 13, cols, 2);
            WeightMatrix v = matrix(GgmlType.Q4_K, 29, cols, 3);
            float[] x = RandomBlocks.activations(tokens * cols, 9);
            float[] q1 = new float[tokens * 67], k1 = new float[tokens * 13], v1 = new float[tokens * 29];
            float[] q2 = new float[tokens * 67], k2 = new float[tokens * 13], v2 = new float[tokens * 29];
            Kernels.matmul(POOL, q, x, tokens, q1);
            Kernels.matmul(POOL, k, x, tokens, k1);
            Kernels.matmul(POOL, v, x, tokens, v1);
            Kernels.matmul(POOL, q, q2, k, k2, v, v2, x, tokens);
            assertClose(q2, q1);
            assertClose(k2, k1);
            assertClose(v2, v1);
            float[] g2 = new float[tokens * 67], u2 = new float[tokens * 13];
            Kernels.matmul(POOL, q, g2, k, u2, x, tokens);
            assertClose(g2, q1);
            assertClose(u2, k1);
            if (!NativeKernels.supports(v.type())) {  // the native kernels are held to their twin in NativeKernelsTest
                ReferenceMatmul.assertMatches(v, x, tokens, v2, "v part");
            }
        }
    }

    /** The same arithmetic; only the order of the final lane sum may differ between JIT tiers. */
    private static void assertClose(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).as("[%d]", i).isCloseTo(expected[i], within(1e-5f * (1 + Math.abs(expected[i]))));
        }
    }

    @Test
    void matricesOfDifferentWidthsAreRefused() {
        WeightMatrix a = matrix(GgmlType.Q8_0, 4, 64, 1);
        WeightMatrix b = matrix(GgmlType.Q8_0, 4, 128, 2);
        float[] x = new float[128];
        assertThatThrownBy(() -> Kernels.matmul(POOL, a, new float[4], b, new float[4], x, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("128").hasMessageContaining("64");
    }
}
