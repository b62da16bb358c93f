package dev.hearth.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.gguf.GgmlType;
import dev.hearth.kernel.ScalarKernels;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Quantize random Gaussian rows, dequantize with the scalar reference kernels, and check the relative RMS error
 * sqrt(sum (x - x')^2 / sum x^2) against each type's known error on N(0, 1) data (a band: too small would mean the
 * test compares a thing with itself).
 */
class BlockEncoderRoundTripTest {
    static final int ROWS = 64;
    static final int COLS = 1024;

    static double relativeRmsError(GgmlType type, long seed, float scale) {
        BlockEncoder encoder = BlockEncoder.forType(type);
        Random random = new Random(seed);
        float[] x = new float[COLS];
        float[] y = new float[COLS];
        byte[] bytes = new byte[encoder.rowBytes(COLS)];
        double err = 0;
        double norm = 0;
        for (int r = 0; r < ROWS; r++) {
            for (int i = 0; i < COLS; i++) {
                x[i] = (float) random.nextGaussian() * scale;
            }
            encoder.encodeRow(x, 0, COLS, bytes, 0);
            ScalarKernels.dequantize(type, MemorySegment.ofArray(bytes), 0, y, 0, COLS);
            for (int i = 0; i < COLS; i++) {
                err += (x[i] - y[i]) * (double) (x[i] - y[i]);
                norm += x[i] * (double) x[i];
            }
        }
        return Math.sqrt(err / norm);
    }

    @ParameterizedTest(name = "{0}: relative RMS error in [{1}, {2}]")
    @CsvSource({
        // type, lower, upper bound of the relative RMS error on Gaussian rows (measured value in the comment)
        "F32,  0,      0",        // exact
        "F16,  1.7e-4, 2.5e-4",   // 2.1e-4
        "BF16, 1.4e-3, 1.9e-3",   // 1.66e-3
        "Q8_0, 0.0045, 0.0060",   // 0.535% (theory: absmax/127/sqrt(12) ~ 0.5%)
        "Q5_1, 0.033,  0.043",    // 3.8%
        "Q5_0, 0.037,  0.048",    // 4.3%
        "Q4_1, 0.068,  0.088",    // 7.9%
        "Q4_0, 0.075,  0.097",    // 8.6% (theory: absmax/8/sqrt(12) ~ 8%)
        "Q6_K, 0.015,  0.021",    // 1.8%
        "Q5_K, 0.031,  0.041",    // 3.6%
        "Q4_K, 0.062,  0.080",    // 7.1%
    })
    void gaussianRowsRoundTripWithinTheTypesError(GgmlType type, double lower, double upper) {
        double e1 = relativeRmsError(type, 42, 1f);
        double e2 = relativeRmsError(type, 7, 0.02f); // small weights, as in real models: the error is relative
        System.out.printf("%-5s relative RMS error %.5f (std 1), %.5f (std 0.02)%n", type, e1, e2);
        assertThat(e1).isBetween(lower, upper);
        assertThat(e2).isBetween(lower, upper);
    }

    @Test
    void zeroRowsEncodeToZeroesAndDecodeToZeroes() {
        for (GgmlType type : new GgmlType[] {GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0,
                GgmlType.Q5_1, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K}) {
            BlockEncoder encoder = BlockEncoder.forType(type);
            float[] x = new float[512];
            byte[] bytes = new byte[encoder.rowBytes(512)];
            java.util.Arrays.fill(bytes, (byte) 0x5A);
            encoder.encodeRow(x, 0, 512, bytes, 0);
            float[] y = new float[512];
            java.util.Arrays.fill(y, 1f);
            ScalarKernels.dequantize(type, MemorySegment.ofArray(bytes), 0, y, 0, 512);
            for (float v : y) {
                assertThat(Math.abs(v)).as(type.toString()).isZero();
            }
        }
    }

    @Test
    void byteBufferAndArrayOffsetsAgree() {
        BlockEncoder encoder = BlockEncoder.forType(GgmlType.Q4_K);
        Random random = new Random(3);
        float[] x = new float[1 + 512];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        byte[] direct = new byte[3 + encoder.rowBytes(512)];
        encoder.encodeRow(x, 1, 512, direct, 3);
        ByteBuffer heap = ByteBuffer.allocate(5 + encoder.rowBytes(512)).position(5);
        encoder.encodeRow(x, 1, 512, heap);
        ByteBuffer offHeap = ByteBuffer.allocateDirect(encoder.rowBytes(512));
        encoder.encodeRow(x, 1, 512, offHeap);
        assertThat(heap.position()).isEqualTo(heap.capacity());
        byte[] a = java.util.Arrays.copyOfRange(direct, 3, direct.length);
        byte[] b = java.util.Arrays.copyOfRange(heap.array(), 5, heap.capacity());
        byte[] c = new byte[offHeap.capacity()];
        offHeap.flip().get(c);
        assertThat(b).isEqualTo(a);
        assertThat(c).isEqualTo(a);
    }

    @Test
    void rowsThatAreNotWholeBlocksAreRefused() {
        assertThatThrownBy(() -> BlockEncoder.forType(GgmlType.Q6_K).encodeRow(new float[300], 0, 300, new byte[300], 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("300").hasMessageContaining("Q6_K");
        assertThatThrownBy(() -> BlockEncoder.forType(GgmlType.Q2_K)).hasMessageContaining("Q2_K");
    }
}
