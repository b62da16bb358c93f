package dev.hearth.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.gguf.GgmlType;
import dev.hearth.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The 4-token kernels (TypeKernels.dot4) and both single-row paths of Q4_0 and Q4_K (table lookup and widening), called
 * directly, against the scalar reference: |kernel - reference| <= 1e-5 * sum |w_i * x_i|, on odd block counts, rows
 * at unaligned offsets and tokens at strides that are not multiples of the vector width.
 */
class MultiTokenKernelsTest {

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void fourTokenKernelMatchesScalarReference(GgmlType type) {
        assertThat(TypeKernels.of(type).dot4()).as("this machine has 16-lane vectors").isEqualTo(Lanes.L == 16);
        if (!TypeKernels.of(type).dot4()) {
            return;  // the matmul falls back to one token at a time; VectorKernelsTest covers that
        }
        try (Arena arena = Arena.ofConfined()) {
            for (int cols : type.blockSize() == 256 ? new int[] {256, 768} : new int[] {32, 96, 224}) {
                WeightMatrix w = RandomBlocks.matrix(type, 5, cols, 3, cols * 31L + type.ordinal(), arena);
                int xStride = cols + 5;
                float[] x = RandomBlocks.activations(7 + 4 * xStride, cols);
                float[] out = new float[3 + 4 * 9];
                for (int r = 0; r < w.rows(); r++) {
                    TypeKernels.dot4(type, w.data(), r * w.rowBytes(), cols, x, 7, xStride, out, 3, 9);
                    for (int k = 0; k < 4; k++) {
                        assertClose(w, r, x, 7 + k * xStride, out[3 + 9 * k], "dot4 token " + k + " cols " + cols);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void fourRowFourTokenKernelMatchesScalarReference(GgmlType type) {
        if (!TypeKernels.of(type).dot4x4()) {
            return;  // rows go through dot4 one at a time (the test above)
        }
        try (Arena arena = Arena.ofConfined()) {
            for (int cols : type.blockSize() == 256 ? new int[] {256, 768} : new int[] {32, 96, 224}) {
                WeightMatrix w = RandomBlocks.matrix(type, 6, cols, 3, cols * 17L + type.ordinal(), arena);
                int xStride = cols + 5;
                float[] x = RandomBlocks.activations(7 + 4 * xStride, cols);
                float[] out = new float[3 + 4 * 11];
                TypeKernels.dot4x4(type, w.data(), 2 * w.rowBytes(), w.rowBytes(), cols, x, 7, xStride, out, 3, 11);
                for (int i = 0; i < 4; i++) {
                    for (int k = 0; k < 4; k++) {
                        assertClose(w, 2 + i, x, 7 + k * xStride, out[3 + i + 11 * k],
                                "dot4x4 row " + i + " token " + k + " cols " + cols);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_0", "Q4_K"})
    void tableAndWideningKernelsBothMatchScalarReference(GgmlType type) {
        try (Arena arena = Arena.ofConfined()) {
            for (int cols : type.blockSize() == 256 ? new int[] {256, 768} : new int[] {32, 96, 160, 224, 544}) {
                WeightMatrix w = RandomBlocks.matrix(type, 4, cols, 1, cols * 7L, arena);
                float[] x = RandomBlocks.activations(cols + 3, cols);
                for (int r = 0; r < w.rows(); r++) {
                    long at = r * w.rowBytes();
                    float widening = type == GgmlType.Q4_0 ? Q4Kernels.dotQ4_0(w.data(), at, cols, x, 3)
                            : KQuantKernels.dotQ4_K(w.data(), at, cols, x, 3);
                    assertClose(w, r, x, 3, widening, "widening cols " + cols);
                    if (NibbleTableKernels.SUPPORTED) {
                        float table = type == GgmlType.Q4_0 ? NibbleTableKernels.dotQ4_0(w.data(), at, cols, x, 3)
                                : NibbleTableKernels.dotQ4_K(w.data(), at, cols, x, 3);
                        assertClose(w, r, x, 3, table, "table cols " + cols);
                    }
                }
            }
        }
    }

    private static void assertClose(WeightMatrix w, int row, float[] x, int xOffset, float actual, String what) {
        float[] values = new float[w.cols()];
        ScalarKernels.dequantizeRow(w, row, values, 0);
        double sum = 0;
        double magnitude = 0;
        for (int i = 0; i < w.cols(); i++) {
            double product = (double) values[i] * x[xOffset + i];
            sum += product;
            magnitude += Math.abs(product);
        }
        assertThat(Math.abs(actual - sum)).as("%s %s row %d: kernel %s, reference %s", what, w.type(), row, actual, sum)
                .isLessThanOrEqualTo(ReferenceMatmul.RELATIVE_TOLERANCE * magnitude + 1e-30);
    }
}
