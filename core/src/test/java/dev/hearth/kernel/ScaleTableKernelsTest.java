package dev.hearth.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.hearth.gguf.GgmlType;
import dev.hearth.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The scale-table kernel (Q4_0) gives what the plain kernel gives, and matches the scalar reference. */
class ScaleTableKernelsTest {
    /** The Vector API kernels: the native int8 ones are held to their own twin in NativeKernelsTest. */
    private static final ComputePool POOL = new ComputePool(2, false);

    @AfterAll
    static void closePool() {
        POOL.close();
    }

    @Test
    void scaleTableMatmulEqualsThePlainKernelOnOddShapesAndOffsets() {
        try (Arena arena = Arena.ofShared()) {
            for (GgmlType type : new GgmlType[] {GgmlType.Q4_0}) {
                for (int cols : new int[] {32, 96, 224, 2048}) {
                    for (int misalign : new int[] {0, 3}) {
                        WeightMatrix plain = RandomBlocks.matrix(type, 37, cols, misalign, cols * 31L + misalign, arena);
                        WeightMatrix tabled = plain.withBlockScales();
                        assertThat(tabled.blockScales()).hasSize(37 * cols / 32);
                        for (int tokens : new int[] {1, 2, 5, 17}) {
                            float[] x = RandomBlocks.activations(tokens * cols, tokens);
                            float[] a = new float[tokens * 37];
                            float[] b = new float[tokens * 37];
                            Kernels.matmul(POOL, plain, x, tokens, a);
                            Kernels.matmul(POOL, tabled, x, tokens, b);
                            // the same arithmetic; only the order of the final lane sum may differ between JIT tiers
                            for (int i = 0; i < a.length; i++) {
                                assertThat(b[i]).as("%s cols %d misalign %d tokens %d [%d]", type, cols, misalign,
                                        tokens, i).isCloseTo(a[i], within(1e-5f * (1 + Math.abs(a[i]))));
                            }
                            ReferenceMatmul.assertMatches(tabled, x, tokens, b, type + " table");
                        }
                    }
                }
            }
        }
    }

    @Test
    void tablesAreBuiltOnlyForTypesWithOneScalePerBlock() {
        try (Arena arena = Arena.ofShared()) {
            WeightMatrix k = RandomBlocks.matrix(GgmlType.Q4_K, 4, 256, 0, 1, arena);
            assertThat(k.withBlockScales()).isSameAs(k);
            WeightMatrix q8 = RandomBlocks.matrix(GgmlType.Q8_0, 4, 64, 0, 1, arena);
            assertThat(q8.withBlockScales()).isSameAs(q8);
            WeightMatrix q = RandomBlocks.matrix(GgmlType.Q4_0, 4, 64, 0, 1, arena);
            assertThatThrownBy(() -> new WeightMatrix("q", GgmlType.Q4_0, 4, 64, q.data(), new float[7]))
                    .hasMessageContaining("7 block scales");
        }
    }
}
