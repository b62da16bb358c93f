package dev.hearth.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.gguf.GgmlType;
import dev.hearth.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The GEMM path of matmuls over many tokens ({@link GemmKernels}): each vectorized row decoder against the scalar
 * dequantizer, and whole matmuls (row counts that leave a partial tile, token counts that leave a 16-token block
 * and padding, reductions longer than one K block, odd thread splits) against the scalar reference.
 */
class GemmKernelsTest {
    /** The Vector API kernels: the native int8 ones are held to their own twin in NativeKernelsTest. */
    private static final ComputePool POOL = new ComputePool(2, false);

    @AfterAll
    static void closePool() {
        POOL.close();
    }

    @Test
    void runsOnThisMachine() {
        assertThat(GemmKernels.SUPPORTED).as("16-lane vectors").isEqualTo(Lanes.L == 16);
        assertThat(GemmKernels.runs(KernelTuning.GEMM_TOKENS)).isEqualTo(GemmKernels.SUPPORTED);
        assertThat(GemmKernels.runs(1)).isFalse();
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "Q8_0", "Q4_0", "Q4_K", "Q6_K", "Q5_K"})
    void rowDecoderMatchesScalarDequantizer(GgmlType type) {
        if (!GemmKernels.SUPPORTED) {
            return;  // the decoders use 16-lane vectors; matmuls of many tokens take the block kernels instead
        }
        try (Arena arena = Arena.ofConfined()) {
            int cols = 768;
            WeightMatrix w = RandomBlocks.matrix(type, 5, cols, 3, 41L + type.ordinal(), arena);
            WeightMatrix tabled = WeightMatrix.hasScaleTable(type) ? w.withBlockScales() : w;
            float[] expected = new float[cols];
            float[] actual = new float[cols + 9];
            for (int r = 0; r < w.rows(); r++) {
                ScalarKernels.dequantizeRow(w, r, expected, 0);
                for (WeightMatrix m : new WeightMatrix[] {w, tabled}) {
                    int bpr = cols / type.blockSize();
                    GemmKernels.decodeRow(type, m.data(), r * m.rowBytes(), cols, actual, 9, m.blockScales(), r * bpr);
                    for (int i = 0; i < cols; i++) {
                        float e = expected[i];
                        assertThat(Math.abs(actual[9 + i] - e)).as("%s row %d [%d]: %s vs %s", type, r, i, actual[9 + i], e)
                                .isLessThanOrEqualTo(1e-6f * Math.abs(e) + 1e-6f);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F16", "Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void manyTokenMatmulMatchesScalarReference(GgmlType type) {
        try (Arena arena = Arena.ofShared(); ComputePool three = new ComputePool(3, false)) {
            int cols = 2304;  // more than one K block (2048)
            WeightMatrix plain = RandomBlocks.matrix(type, 37, cols, 1, 7L + type.ordinal(), arena);
            WeightMatrix w = WeightMatrix.hasScaleTable(type) ? plain.withBlockScales() : plain;
            for (int tokens : new int[] {KernelTuning.GEMM_TOKENS, 16, 17, 32, 50}) {
                float[] x = RandomBlocks.activations(tokens * cols, tokens);
                for (ComputePool pool : new ComputePool[] {POOL, three}) {
                    float[] out = new float[tokens * w.rows()];
                    Kernels.matmul(pool, w, x, tokens, out);
                    ReferenceMatmul.assertMatches(w, x, tokens, out, tokens + " tokens, " + pool.threads() + " threads");
                }
            }
        }
    }

    @Test
    void threePartPassOfManyTokensMatchesReference() {
        try (Arena arena = Arena.ofShared()) {
            int cols = 256;
            int tokens = 40;
            WeightMatrix q = RandomBlocks.matrix(GgmlType.Q4_0, 29, cols, 0, 1, arena).withBlockScales();
            WeightMatrix k = RandomBlocks.matrix(GgmlType.Q8_0, 13, cols, 0, 2, arena);
            WeightMatrix v = RandomBlocks.matrix(GgmlType.Q4_K, 25, cols, 0, 3, arena);
            float[] x = RandomBlocks.activations(tokens * cols, 9);
            float[] qo = new float[tokens * 29], ko = new float[tokens * 13], vo = new float[tokens * 25];
            Kernels.matmul(POOL, q, qo, k, ko, v, vo, x, tokens);
            ReferenceMatmul.assertMatches(q, x, tokens, qo, "q part");
            ReferenceMatmul.assertMatches(k, x, tokens, ko, "k part");
            ReferenceMatmul.assertMatches(v, x, tokens, vo, "v part");
        }
    }

    @Test
    void transposePadsTokensWithZeros() {
        float[] x = new float[3 * 5];
        for (int i = 0; i < x.length; i++) {
            x[i] = i + 1;
        }
        float[] xt = new float[16 * 5];
        java.util.Arrays.fill(xt, Float.NaN);
        GemmKernels.transpose(x, 3, 5, xt, 16);
        for (int k = 0; k < 5; k++) {
            for (int t = 0; t < 16; t++) {
                assertThat(xt[k * 16 + t]).as("k %d t %d", k, t).isEqualTo(t < 3 ? x[t * 5 + k] : 0f);
            }
        }
    }
}
