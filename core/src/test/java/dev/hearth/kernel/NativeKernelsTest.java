package dev.hearth.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.gguf.GgmlType;
import dev.hearth.tensor.WeightMatrix;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The native int8 kernels ({@link NativeKernels}): they load wherever the CPU has AVX-512 VNNI (so a build that
 * silently lost them fails here), the activation quantizer against its scalar twin, and the native matmul against
 * its scalar twin over row and token counts that leave partial tiles, odd block counts and row ranges that start
 * inside the matrix; and through {@link Kernels#matmul} with the pool, as the engine calls it.
 */
public class NativeKernelsTest {
    private static final ComputePool POOL = new ComputePool(2);

    @AfterAll
    static void closePool() {
        POOL.close();
    }

    /** Whether this machine's CPU reports AVX-512 VNNI (Linux x86-64), read independently of the library. */
    public static boolean cpuHasVnni() throws IOException {
        return cpuHas(" avx512_vnni");
    }

    /** Whether the CPU has what the AVX2 kernels need (AVX2, FMA, F16C): the native kernels' lower tier. */
    public static boolean cpuHasAvx2() throws IOException {
        return cpuHas(" avx2") && cpuHas(" fma") && cpuHas(" f16c");
    }

    private static boolean cpuHas(String flag) throws IOException {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        return Files.exists(cpuinfo) && System.getProperty("os.arch").matches("amd64|x86_64")
                && Files.readString(cpuinfo).contains(flag);
    }

    /** Whether native kernels should run in this test JVM: the CPU has AVX2 and the switch is not off. */
    public static boolean nativeExpected() throws IOException {
        return cpuHasAvx2() && !"false".equals(System.getProperty("hearth.kernel.native"));
    }

    @Test
    void loadsWhereTheCpuHasTheInstructions() throws IOException {
        boolean expected = nativeExpected();
        boolean wide = expected && cpuHasVnni();
        assertThat(NativeKernels.available()).as(NativeKernels.status()).isEqualTo(expected);
        assertThat(NativeKernels.wide()).as(NativeKernels.status()).isEqualTo(wide);
        for (GgmlType t : new GgmlType[] {GgmlType.Q4_0, GgmlType.Q5_0, GgmlType.Q8_0, GgmlType.Q4_K, GgmlType.Q5_K,
                GgmlType.Q6_K}) {
            assertThat(NativeKernels.supports(t)).as("%s", t).isEqualTo(expected);
            assertThat(NativeKernels.packs(t)).as("%s", t).isEqualTo(expected);
        }
        assertThat(NativeKernels.status()).contains(wide ? "AVX-512" : expected ? "AVX2" : "off");
        assertThat(NativeKernels.matmulsInPlace(GgmlType.Q4_K)).isEqualTo(wide);
        for (GgmlType t : new GgmlType[] {GgmlType.Q4_1, GgmlType.Q5_1}) {   // the AVX-512 tier only
            assertThat(NativeKernels.supports(t)).as("%s", t).isEqualTo(wide);
            assertThat(NativeKernels.packs(t)).as("%s", t).isEqualTo(wide);
        }
        assertThat(NativeKernels.supports(GgmlType.F16)).isFalse();
        assertThat(NativeKernels.status()).isNotBlank();
    }

    @Test
    void bandwidthProbeReadsEveryByteAsItsVectorTwin() throws IOException {
        assertThat(NativeKernels.available()).as(NativeKernels.status()).isEqualTo(nativeExpected());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(100_003, 64);
            java.util.Random random = new java.util.Random(7);
            for (long i = 0; i < s.byteSize(); i++) {
                s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) random.nextInt(256));
            }
            for (long[] range : new long[][] {{0, 100_003}, {5, 99_000}, {256, 513}, {7, 7}}) {
                assertThat(NativeKernels.streamSum(s, range[0], range[1])).as("bytes %d..%d", range[0], range[1])
                        .isEqualTo(MachineProbes.streamSum(s, range[0], range[1]));
                assertThat(NativeKernels.streamSum(s, range[0], range[1], false))
                        .as("bytes %d..%d without prefetch", range[0], range[1])
                        .isEqualTo(MachineProbes.streamSum(s, range[0], range[1]));
            }
        }
    }

    @Test
    void quantizerMatchesItsScalarTwin() {
        int tokens = 3;
        int cols = 96;
        float[] x = RandomBlocks.activations(tokens * cols, 7);
        x[5] = 0;
        java.util.Arrays.fill(x, 32, 64, 0f);  // an all-zero block: d = 0, all q = 0
        x[70] = 1e-30f;
        byte[] q1 = new byte[tokens * cols];
        byte[] q2 = new byte[tokens * cols];
        float[] d1 = new float[tokens * cols / 32];
        float[] d2 = new float[d1.length];
        int[] s1 = new int[d1.length];
        int[] s2 = new int[d1.length];
        NativeKernels.quantize(x, tokens, cols, q1, d1, s1);
        NativeKernels.quantizeScalar(x, tokens, cols, q2, d2, s2);
        assertThat(q1).isEqualTo(q2);
        assertThat(d1).isEqualTo(d2);
        assertThat(s1).isEqualTo(s2);
        assertThat(d1[1]).isZero();
        for (int b = 0; b < d1.length; b++) {
            int sum = 0;
            int max = 0;
            for (int j = 0; j < 32; j++) {
                sum += q1[32 * b + j];
                max = Math.max(max, Math.abs(q1[32 * b + j]));
            }
            assertThat(s1[b]).isEqualTo(-sum);
            assertThat(max).isLessThanOrEqualTo(127);
            if (d1[b] != 0) {
                assertThat(max).isGreaterThanOrEqualTo(126);
            }
        }
    }

    @Test
    void nativeQuantizersMatchTheirScalarTwinsOverManyRows() {
        assertThat(NativeKernels.available()).as(NativeKernels.status()).isTrue();
        int tokens = 64;
        int cols = 2048;
        java.util.Random random = new java.util.Random(11);
        float[] x = new float[tokens * cols];
        for (int i = 0; i < x.length; i++) {  // magnitudes over many octaves, and values a half step apart
            x[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(9) - 4));
            if (i % 97 == 0) {
                x[i] = (i % 5 - 2) * 0.5f;
            }
        }
        for (boolean superBlocks : new boolean[] {false, true}) {
            byte[] q1 = new byte[x.length];
            byte[] q2 = new byte[x.length];
            float[] d1 = new float[x.length / 32];
            float[] d2 = new float[d1.length];
            int[] s1 = new int[d1.length];
            int[] s2 = new int[d1.length];
            if (superBlocks) {
                NativeKernels.quantizeK(x, tokens, cols, q1, d1, s1);
                NativeKernels.quantizeKScalar(x, tokens, cols, q2, d2, s2);
            } else {
                NativeKernels.quantize(x, tokens, cols, q1, d1, s1);
                NativeKernels.quantizeScalar(x, tokens, cols, q2, d2, s2);
            }
            assertThat(q1).as("quants, super-blocks " + superBlocks).isEqualTo(q2);
            assertThat(d1).as("scales, super-blocks " + superBlocks).isEqualTo(d2);
            assertThat(s1).as("sums, super-blocks " + superBlocks).isEqualTo(s2);
        }
        assertThatThrownBy(() -> NativeKernels.quantizeK(x, 1, 100, new byte[100], new float[4], new int[4]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sizes do not fit");
    }

    @Test
    void superBlockQuantizerMatchesItsScalarTwin() {
        int tokens = 2;
        int cols = 512;
        float[] x = RandomBlocks.activations(tokens * cols, 8);
        java.util.Arrays.fill(x, 256, 512, 0f);  // an all-zero super-block
        x[600] = 9f;                              // largest magnitude positive: maps to -127
        x[700] = -9f;                             // a tie of magnitude, later: the first one wins
        x[900] = -12f;                            // largest magnitude negative
        byte[] q1 = new byte[tokens * cols];
        byte[] q2 = new byte[tokens * cols];
        float[] d1 = new float[tokens * cols / 32];
        float[] d2 = new float[d1.length];
        int[] s1 = new int[d1.length];
        int[] s2 = new int[d1.length];
        NativeKernels.quantizeK(x, tokens, cols, q1, d1, s1);
        NativeKernels.quantizeKScalar(x, tokens, cols, q2, d2, s2);
        assertThat(q1).isEqualTo(q2);
        assertThat(d1).isEqualTo(d2);
        assertThat(s1).isEqualTo(s2);
        assertThat(q1[600]).isEqualTo((byte) -127);
        assertThat(q1[700]).isEqualTo((byte) 127);
        assertThat(q1[900]).isEqualTo((byte) -127);
        assertThat(d1[8]).isZero();
        for (int b = 0; b < d1.length; b++) {
            assertThat(d1[b]).isEqualTo(d1[b / 8 * 8]);  // one scale per 256 values
        }
        for (int i = 0; i < x.length; i++) {
            assertThat(Math.abs(q1[i] * d1[i / 32] - x[i])).isLessThanOrEqualTo(Math.abs(d1[i / 32]) / 2 + 1e-6f);
        }
    }

    static void quantizeFor(GgmlType type, float[] x, int tokens, int cols, byte[] xq, float[] dx, int[] nsx) {
        if (type.blockSize() == 256) {
            NativeKernels.quantizeKScalar(x, tokens, cols, xq, dx, nsx);
        } else {
            NativeKernels.quantizeScalar(x, tokens, cols, xq, dx, nsx);
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_0", "Q8_0", "Q4_K", "Q6_K"})
    void matmulMatchesItsScalarTwin(GgmlType type) {
        assertThat(NativeKernels.wide()).as(NativeKernels.status()).isEqualTo(NativeKernels.matmulsInPlace(type));
        if (!NativeKernels.wide()) {
            return;  // checked above: this machine has no kernels over the file's layout to compare
        }
        try (Arena arena = Arena.ofConfined()) {
            boolean k = type.blockSize() == 256;
            for (int cols : k ? new int[] {256, 2048 + 256} : new int[] {32, 96, 2048 + 64}) {
                int rows = 11;
                int nb = cols / 32;
                WeightMatrix w = RandomBlocks.matrix(type, rows, cols, 3, 5L + cols, arena);
                for (boolean table : new boolean[] {false, true}) {
                    float[] scales = table && type == GgmlType.Q4_0 ? w.withBlockScales().blockScales() : null;
                    for (int tokens : new int[] {1, 2, 4, 5, 9}) {
                        float[] x = RandomBlocks.activations(tokens * cols, tokens + cols);
                        byte[] xq = new byte[tokens * cols];
                        float[] dx = new float[tokens * nb];
                        int[] nsx = new int[tokens * nb];
                        quantizeFor(type, x, tokens, cols, xq, dx, nsx);
                        float[] expected = new float[tokens * rows];
                        NativeKernels.matmulScalar(type, w.data(), w.rowBytes(), scales, 0, rows, cols, xq, dx, tokens,
                                expected, rows);
                        float tolerance = 1e-5f * maxAbs(expected);  // float sums taken in another order
                        for (int[] range : new int[][] {{0, rows}, {3, 10}, {4, 5}, {8, 11}}) {
                            float[] actual = new float[tokens * rows];
                            java.util.Arrays.fill(actual, Float.NaN);
                            NativeKernels.matmul(type, w.data(), w.rowBytes(),
                                    scales == null ? MemorySegment.NULL : MemorySegment.ofArray(scales),
                                    scales == null ? 0 : scales.length, range[0], range[1], cols,
                                    MemorySegment.ofArray(xq), MemorySegment.ofArray(dx), MemorySegment.ofArray(nsx),
                                    tokens, MemorySegment.ofArray(actual), rows);
                            for (int t = 0; t < tokens; t++) {
                                for (int r = 0; r < rows; r++) {
                                    float a = actual[t * rows + r];
                                    if (r < range[0] || r >= range[1]) {
                                        assertThat(a).as("row %d outside %d..%d written", r, range[0], range[1]).isNaN();
                                        continue;
                                    }
                                    float e = expected[t * rows + r];
                                    assertThat(Math.abs(a - e)).as("%s cols %d table %s tokens %d [%d, %d]: %s vs %s",
                                            type, cols, table, tokens, t, r, a, e)
                                            .isLessThanOrEqualTo(tolerance);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q4_K", "Q5_K", "Q6_K"})
    void repackedMatmulMatchesItsScalarTwin(GgmlType type) throws IOException {
        boolean wideOnly = type == GgmlType.Q4_1 || type == GgmlType.Q5_1;
        assertThat(NativeKernels.packs(type)).isEqualTo(nativeExpected() && (!wideOnly || cpuHasVnni()));
        if (!NativeKernels.packs(type)) {
            return;  // checked in loadsWhereTheCpuHasTheInstructions
        }
        try (Arena arena = Arena.ofConfined()) {
            boolean k = type.blockSize() == 256;
            long unitBytes = switch (type) {
                case Q4_K -> NativeKernels.PACK_SUPER_Q4_K;
                case Q5_K -> NativeKernels.PACK_SUPER_Q5_K;
                case Q6_K -> NativeKernels.PACK_SUPER_Q6_K;
                case Q5_0 -> NativeKernels.PACK_BLOCK_Q5_0;
                case Q8_0 -> NativeKernels.PACK_BLOCK_Q8_0;
                case Q4_1 -> NativeKernels.PACK_BLOCK_Q4_1;
                case Q5_1 -> NativeKernels.PACK_BLOCK_Q5_1;
                default -> NativeKernels.PACK_BLOCK;
            };
            for (int cols : k ? new int[] {256, 2048 + 256} : new int[] {32, 96, 2048 + 64}) {
                int rows = 37;  // two whole tiles of 16 and a partial one
                int nb = cols / 32;
                WeightMatrix w = RandomBlocks.matrix(type, rows, cols, 5, 3L + cols, arena);
                MemorySegment packed = NativeKernels.repack(w, arena);
                assertThat(packed.byteSize()).isEqualTo(3L * (cols / type.blockSize()) * unitBytes);
                for (int tokens : new int[] {1, 3, 4, 8, 13}) {
                    float[] x = RandomBlocks.activations(tokens * cols, 31 + tokens);
                    byte[] xq = new byte[tokens * cols];
                    float[] dx = new float[tokens * nb];
                    int[] nsx = new int[tokens * nb];
                    quantizeFor(type, x, tokens, cols, xq, dx, nsx);
                    float[] expected = new float[tokens * rows];
                    NativeKernels.matmulScalar(type, w.data(), w.rowBytes(), null, 0, rows, cols, xq, dx,
                            tokens, expected, rows);
                    float tolerance = 1e-5f * maxAbs(expected);
                    // the tier this CPU runs, then the AVX2 tier called directly (an AVX-512 machine tests both)
                    for (boolean avx2 : wideOnly ? new boolean[] {false} : new boolean[] {false, true}) {
                        for (int[] range : new int[][] {{0, rows}, {16, 32}, {32, 37}, {0, 16}}) {
                            float[] actual = new float[tokens * rows];
                            java.util.Arrays.fill(actual, Float.NaN);
                            if (avx2) {
                                NativeKernels.matmulPackedAvx2(type, packed, rows, range[0], range[1], cols,
                                        MemorySegment.ofArray(xq), MemorySegment.ofArray(dx), MemorySegment.ofArray(nsx),
                                        tokens, MemorySegment.ofArray(actual), rows,
                                        MemorySegment.ofArray(new float[tokens * cols / 16]));
                            } else {
                                NativeKernels.matmulPacked(type, packed, rows, range[0], range[1], cols,
                                        MemorySegment.ofArray(xq), MemorySegment.ofArray(dx), MemorySegment.ofArray(nsx),
                                        tokens, MemorySegment.ofArray(actual), rows);
                            }
                            for (int t = 0; t < tokens; t++) {
                                for (int r = 0; r < rows; r++) {
                                    float a = actual[t * rows + r];
                                    if (r < range[0] || r >= range[1]) {
                                        assertThat(a).as("row %d outside %d..%d written", r, range[0], range[1]).isNaN();
                                    } else {
                                        assertThat(Math.abs(a - expected[t * rows + r]))
                                                .as("%s avx2 %s cols %d tokens %d [%d, %d]", type, avx2, cols, tokens, t, r)
                                                .isLessThanOrEqualTo(tolerance);
                                    }
                                }
                            }
                        }
                    }
                }
                assertThat(NativeKernels.packedRange(rows, 8, 16)).isFalse();
                assertThat(NativeKernels.packedRange(rows, 16, 30)).isFalse();
                assertThat(NativeKernels.packedRange(rows, 16, 37)).isTrue();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16"})
    void floatMatmulMatchesItsScalarTwin(GgmlType type) throws IOException {
        boolean expected = nativeExpected() && cpuHasVnni();
        assertThat(NativeKernels.matmulsFloat(type)).as(NativeKernels.status()).isEqualTo(expected);
        if (!expected) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            for (int cols : new int[] {16, 40, 1024 + 7}) {   // whole vectors, a masked tail, both
                int rows = 9;                                 // two blocks of 4 rows and one single
                WeightMatrix w = RandomBlocks.matrix(type, rows, cols, 3, 17L + cols, arena);
                for (int tokens : new int[] {1, 4, 7}) {
                    float[] x = RandomBlocks.activations(tokens * cols, 5 + tokens);
                    float[] expectedOut = new float[tokens * rows];
                    float[] row = new float[cols];
                    for (int r = 0; r < rows; r++) {
                        ScalarKernels.dequantizeRow(w, r, row, 0);
                        for (int t = 0; t < tokens; t++) {
                            double acc = 0;
                            for (int k = 0; k < cols; k++) {
                                acc += (double) row[k] * x[t * cols + k];
                            }
                            expectedOut[t * rows + r] = (float) acc;
                        }
                    }
                    float tolerance = 1e-5f * maxAbs(expectedOut);
                    for (int[] range : new int[][] {{0, rows}, {1, 6}, {8, 9}}) {
                        float[] actual = new float[tokens * rows];
                        java.util.Arrays.fill(actual, Float.NaN);
                        NativeKernels.matmulFloat(type, w.data(), w.rowBytes(), range[0], range[1], cols,
                                MemorySegment.ofArray(x), tokens, MemorySegment.ofArray(actual), rows);
                        for (int t = 0; t < tokens; t++) {
                            for (int r = 0; r < rows; r++) {
                                float a = actual[t * rows + r];
                                if (r < range[0] || r >= range[1]) {
                                    assertThat(a).as("row %d outside %d..%d written", r, range[0], range[1]).isNaN();
                                } else {
                                    assertThat(Math.abs(a - expectedOut[t * rows + r]))
                                            .as("%s cols %d tokens %d [%d, %d]", type, cols, tokens, t, r)
                                            .isLessThanOrEqualTo(tolerance);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q4_K", "Q5_K", "Q6_K", "F16",
            "BF16"})
    void engineMatmulRunsNativelyAndStaysNearTheFloatReference(GgmlType type) {
        try (Arena arena = Arena.ofShared()) {  // the pool's threads read it
            int rows = 203;
            int cols = type.blockSize() == 256 ? 1024 + 256 : 1024 + 96;
            WeightMatrix w = Kernels.prepare(RandomBlocks.matrix(type, rows, cols, 1, 99, arena));
            assertThat(w.blockScales() == null).isEqualTo(NativeKernels.supports(type) || type != GgmlType.Q4_0);
            assertThat(w.packed() != null).isEqualTo(NativeKernels.packs(type));
            for (int tokens : new int[] {1, 3, 16, 37}) {
                float[] x = RandomBlocks.activations(tokens * cols, 11 + tokens);
                float[] out = new float[tokens * rows];
                Kernels.matmul(POOL, w, x, tokens, out);
                float[] exact = new float[tokens * rows];
                float[] row = new float[cols];
                double scale = 0;
                for (int r = 0; r < rows; r++) {
                    ScalarKernels.dequantizeRow(w, r, row, 0);
                    for (int t = 0; t < tokens; t++) {
                        double s = 0;
                        for (int k = 0; k < cols; k++) {
                            s += (double) row[k] * x[t * cols + k];
                        }
                        exact[t * rows + r] = (float) s;
                        scale = Math.max(scale, Math.abs(s));
                    }
                }
                if (NativeKernels.supports(type)) {  // the native path is exactly its scalar twin
                    byte[] xq = new byte[tokens * cols];
                    float[] dx = new float[tokens * cols / 32];
                    int[] nsx = new int[dx.length];
                    quantizeFor(type, x, tokens, cols, xq, dx, nsx);
                    float[] twin = new float[tokens * rows];
                    NativeKernels.matmulScalar(type, w.data(), w.rowBytes(), null, 0, rows, cols, xq, dx, tokens, twin,
                            rows);
                    float tolerance = 1e-5f * maxAbs(twin);
                    for (int i = 0; i < twin.length; i++) {
                        assertThat(Math.abs(out[i] - twin[i])).as("%s tokens %d [%d]", type, tokens, i)
                                .isLessThanOrEqualTo(tolerance);
                    }
                }
                if (NativeKernels.matmulsFloat(type)) {  // float math on both sides (native below 16 tokens)
                    for (int i = 0; i < exact.length; i++) {
                        assertThat(Math.abs(out[i] - exact[i])).as("%s tokens %d [%d]", type, tokens, i)
                                .isLessThanOrEqualTo((float) (1e-5 * scale));
                    }
                }
                // 8-bit activations: an error of a fraction of a percent of the output's scale, never more
                for (int i = 0; i < exact.length; i++) {
                    assertThat(Math.abs(out[i] - exact[i])).as("%s tokens %d [%d]: %s vs %s", type, tokens, i, out[i],
                            exact[i]).isLessThanOrEqualTo((float) (0.01 * scale));
                }
            }
        }
    }

    private static float maxAbs(float[] a) {
        float m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
