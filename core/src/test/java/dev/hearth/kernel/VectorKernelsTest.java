package dev.hearth.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.gguf.GgmlType;
import dev.hearth.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every vector kernel, through Kernels.matmul, against the scalar reference on random blocks. */
class VectorKernelsTest {
    /** The Vector API kernels: the native int8 ones are held to their own twin in NativeKernelsTest. */
    private static final ComputePool POOL = new ComputePool(2, false);
    private static final ComputePool SINGLE = new ComputePool(1, false);

    @AfterAll
    static void closePools() {
        POOL.close();
        SINGLE.close();
    }

    /** Row lengths: multiples of the block size, most not multiples of the vector width (16 floats) or unroll. */
    private static int[] rowLengths(GgmlType type) {
        return switch (type.blockSize()) {
            case 1 -> new int[] {1, 5, 16, 17, 40, 64, 103, 200};
            case 32 -> new int[] {32, 96, 160, 544};
            default -> new int[] {256, 768};
        };
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1",
            "Q4_K", "Q5_K", "Q6_K"})
    void matmulMatchesScalarReference(GgmlType type) {
        try (Arena arena = Arena.ofShared()) {
            long seed = 17L * type.ordinal();
            for (int cols : rowLengths(type)) {
                for (int misalign : new int[] {0, 1, 3}) {
                    WeightMatrix w = RandomBlocks.matrix(type, 21, cols, misalign, seed++, arena);
                    for (int numTokens : new int[] {1, 2, 5, 17}) {
                        float[] x = RandomBlocks.activations(numTokens * cols, seed++);
                        for (ComputePool pool : new ComputePool[] {POOL, SINGLE}) {
                            float[] out = new float[numTokens * w.rows()];
                            Arrays.fill(out, Float.NaN);
                            Kernels.matmul(pool, w, x, numTokens, out);
                            ReferenceMatmul.assertMatches(w, x, numTokens, out, "cols " + cols + " misalign "
                                    + misalign + " tokens " + numTokens + " threads " + pool.threads());
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1",
            "Q4_K", "Q5_K", "Q6_K"})
    void dotReadsARowInsideALargerSegmentAtAnOffset(GgmlType type) {
        try (Arena arena = Arena.ofConfined()) {
            int cols = type.blockSize() == 256 ? 512 : 64;
            WeightMatrix w = RandomBlocks.matrix(type, 3, cols, 5, 99, arena);
            float[] x = RandomBlocks.activations(cols + 7, 7);
            float[] row = new float[cols];
            ScalarKernels.dequantizeRow(w, 2, row, 0);
            double expected = 0;
            double magnitude = 0;
            for (int i = 0; i < cols; i++) {
                expected += (double) row[i] * x[7 + i];
                magnitude += Math.abs((double) row[i] * x[7 + i]);
            }
            float actual = Kernels.dot(type, w.data(), 2 * w.rowBytes(), cols, x, 7);
            assertThat(Math.abs(actual - expected)).isLessThanOrEqualTo(ReferenceMatmul.RELATIVE_TOLERANCE * magnitude);
        }
    }

    @Test
    void halfFloatSpecialValuesConvertExactly() {
        short[] halves = {0, (short) 0x8000, 1, (short) 0x8001, 0x03ff, 0x0400, 0x3c00, (short) 0xbc00, 0x7bff,
                (short) 0xfbff, 0x0001, 0x7000, 0x3555, 0x0200, 0x1234, (short) 0x9234};
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(2L * halves.length + 1).asSlice(1);
            for (int i = 0; i < halves.length; i++) {
                s.set(ScalarKernels.F16, 2L * i, halves[i]);
            }
            for (int i = 0; i < halves.length; i++) {
                float[] x = new float[halves.length];
                x[i] = 1;
                float expected = Float.float16ToFloat(halves[i]);
                assertThat(Kernels.dot(GgmlType.F16, s, 0, halves.length, x, 0)).as("half 0x%04x", halves[i])
                        .isEqualTo(expected == 0 ? 0f : expected);
            }
            float[] ones = new float[16];
            Arrays.fill(ones, 1);
            for (short special : new short[] {0x7c00, (short) 0xfc00, 0x7e00}) {
                for (int i = 0; i < 16; i++) {
                    s.set(ScalarKernels.F16, 2L * i, i == 5 ? special : 0x3c00);
                }
                float expected = 15 + Float.float16ToFloat(special);
                assertThat(Float.valueOf(Kernels.dot(GgmlType.F16, s, 0, 16, ones, 0))).as("half 0x%04x", special)
                        .isEqualTo(Float.valueOf(expected));
            }
        }
    }

    @Test
    void unsupportedTypeIsRefusedWithTheTensorName() {
        try (Arena arena = Arena.ofConfined()) {
            WeightMatrix w = new WeightMatrix("blk.0.ffn_up.weight", GgmlType.Q2_K, 1, 256, arena.allocate(84));
            assertThatThrownBy(() -> Kernels.matmul(POOL, w, new float[256], 1, new float[1]))
                    .hasMessageContaining("blk.0.ffn_up.weight").hasMessageContaining("Q2_K");
        }
    }
}
