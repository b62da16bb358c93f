package dev.hearth.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The matrix units' kernels compile for every weight type and tile, with no device: lavapipe has no cooperative
 * matrices, so ShaderKernelsTest runs them only on a GPU; this catches a shader that would not even build.
 */
class ShaderCompilerTest {
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10})  // weight_types.glsl's T_F32 .. T_Q6_K
    void cooperativeMatrixProductsCompileForEveryTypeAndTile(int type) {
        for (int subgroupSize : new int[] {32, 64}) {
            for (int tile : new int[] {64, 128}) {
                String defines = "WTYPE " + type + ";" + CooperativeMatrix.tileDefines(tile, subgroupSize);
                assertThat(ShaderCompiler.spirv("matmm_coop.comp", defines)).as(defines).isNotEmpty();
            }
        }
    }
}
