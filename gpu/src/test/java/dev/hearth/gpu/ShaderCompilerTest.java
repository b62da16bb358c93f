package dev.hearth.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.gguf.GgmlType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The matrix units' kernels compile for every weight type and shape, with no device: lavapipe has no cooperative
 * matrices, so ShaderKernelsTest runs them only on a GPU; this catches a shader that would not even build.
 */
class ShaderCompilerTest {
    /** Every type in two shapes that differ in every define. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10})  // weight_types.glsl's T_F32 .. T_Q6_K
    void cooperativeMatrixProductsCompileForEveryType(int type) {
        for (BlockedShape shape : List.of(new BlockedShape(64, 64, 32, 1, false), new BlockedShape(128, 64, 64, 2, true))) {
            String defines = "WTYPE " + type + ";" + shape.defines(32) + ";RAW 0";
            assertThat(ShaderCompiler.spirv("matmm_coop.comp", defines)).as(defines).isNotEmpty();
        }
    }

    /**
     * Every shape (Q4_K and Q6_K weights, decoded after the step's products where an invocation takes 16 a step) at
     * subgroups of 32; at 16 and 64, which change only how the tiles are shared out, the largest and smallest.
     */
    @Test
    void cooperativeMatrixProductsCompileForEveryShape() {
        List<String> all = new ArrayList<>();
        for (int bm : new int[] {64, 128}) {
            for (int bn : new int[] {64, 128}) {
                for (int bk : new int[] {32, 64}) {
                    for (int stages = 1; stages <= 2; stages++) {
                        for (boolean halves : new boolean[] {false, true}) {
                            BlockedShape shape = new BlockedShape(bm, bn, bk, stages, halves);
                            for (GgmlType type : new GgmlType[] {GgmlType.Q4_K, GgmlType.Q6_K}) {
                                all.add("WTYPE " + (type == GgmlType.Q4_K ? 8 : 10) + ";" + shape.defines(32)
                                        + ";RAW " + (GpuKernels.decodesLate(type, shape, true) ? 1 : 0));
                            }
                        }
                    }
                }
            }
        }
        for (int subgroupSize : new int[] {16, 64}) {
            all.add("WTYPE 8;" + new BlockedShape(128, 128, 32, 2, true).defines(subgroupSize) + ";RAW 1");
            all.add("WTYPE 10;" + new BlockedShape(64, 64, 32, 1, false).defines(subgroupSize) + ";RAW 0");
        }
        for (String defines : all) {
            assertThat(ShaderCompiler.spirv("matmm_coop.comp", defines)).as(defines).isNotEmpty();
        }
    }

    /**
     * The shapes of 128 invocations (Q4_K's whole group held undecoded) and the narrow ones for decode batches (16 and
     * 32 outputs), and the sweep's ablations.
     */
    @Test
    void cooperativeMatrixProductsCompileInTheirOtherShapes() {
        List<BlockedShape> shapes = List.of(new BlockedShape(128, 128, 32, 2, true, 128),
                new BlockedShape(128, 64, 32, 2, true, 128), new BlockedShape(64, 16, 64, 2, true, 128),
                new BlockedShape(64, 32, 64, 2, true, 256), new BlockedShape(128, 32, 32, 2, false, 256),
                new BlockedShape(128, 16, 32, 1, false, 128));
        List<String> all = new ArrayList<>();
        for (BlockedShape shape : shapes) {
            for (GgmlType type : new GgmlType[] {GgmlType.Q4_K, GgmlType.Q6_K, GgmlType.F16}) {
                int code = type == GgmlType.Q4_K ? 8 : type == GgmlType.Q6_K ? 10 : 1;
                all.add("WTYPE " + code + ";" + shape.defines(32) + ";RAW "
                        + (GpuKernels.decodesLate(type, shape, true) ? 1 : 0));
            }
        }
        all.add("WTYPE 8;" + new BlockedShape(128, 128, 32, 2, true).defines(32) + ";RAW 1;ABL 1");
        all.add("WTYPE 8;" + new BlockedShape(128, 128, 32, 2, true).defines(32) + ";RAW 1;ABL 2");
        for (String defines : all) {
            assertThat(ShaderCompiler.spirv("matmm_coop.comp", defines)).as(defines).isNotEmpty();
        }
    }

    @Test
    void shapesAnInvocationCannotLoadAreRefused() {
        // 128 x 16 outputs at 32 columns: 2 inputs an invocation, fewer than a load of 8 halves
        assertThatThrownBy(() -> new BlockedShape(128, 16, 32, 2, true).defines(32))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("inputs");
        assertThatThrownBy(() -> new BlockedShape(128, 64, 128, 2, true).defines(32))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("64 weights");
        // 64 x 16 outputs: 4 tiles for 8 subgroups
        assertThatThrownBy(() -> new BlockedShape(64, 16, 64, 2, true).defines(32))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("subgroups");
    }

    @Test
    void halvesPassCompiles() {
        assertThat(ShaderCompiler.spirv("halves.comp", "GLU 0")).isNotEmpty();
        assertThat(ShaderCompiler.spirv("halves.comp", "GLU 1")).isNotEmpty();
    }
}
