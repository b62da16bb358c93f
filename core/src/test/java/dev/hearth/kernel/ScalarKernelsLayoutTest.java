package dev.hearth.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.hearth.gguf.GgmlType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The scalar dequantizers against blocks packed here from known integer quants, following ggml's block structs and
 * quantize_row_*_ref (the packing direction, written independently of the dequantizers): every element must come
 * back as scale * quant (- min), so a wrong offset, nibble order, high-bit or 6-bit scale mapping fails.
 */
class ScalarKernelsLayoutTest {
    private static final int BLOCKS = 3;

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"})
    void quantizedBlocksDecodeToScaleTimesQuant(GgmlType type) {
        Random random = new Random(type.ordinal());
        int n = BLOCKS * type.blockSize();
        float[] expected = new float[n];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(type.byteSize(n) + 1).asSlice(1);
            for (int b = 0; b < BLOCKS; b++) {
                long at = (long) b * type.typeSize();
                int o = b * type.blockSize();
                switch (type) {
                    case Q8_0 -> {
                        float d = putF16(s, at, 0.03f + b);
                        for (int j = 0; j < 32; j++) {
                            int q = random.nextInt(256) - 128;
                            s.set(ValueLayout.JAVA_BYTE, at + 2 + j, (byte) q);
                            expected[o + j] = q * d;
                        }
                    }
                    case Q4_0, Q4_1, Q5_0, Q5_1 -> packLegacy(type, s, at, random, expected, o);
                    case Q4_K, Q5_K -> packK45(type == GgmlType.Q5_K, s, at, random, expected, o);
                    case Q6_K -> packQ6K(s, at, random, expected, o);
                    default -> throw new AssertionError(type);
                }
            }
            float[] actual = new float[n + 2];
            ScalarKernels.dequantize(type, s, 0, actual, 2, n);
            for (int i = 0; i < n; i++) {
                assertThat(actual[2 + i]).as("%s element %d", type, i)
                        .isCloseTo(expected[i], within(1e-6f * (1 + Math.abs(expected[i]))));
            }
        }
    }

    private static float putF16(MemorySegment s, long at, float v) {
        short h = Float16.fromFloat(v);
        s.set(ScalarKernels.F16, at, h);
        return Float16.toFloat(h);
    }

    /** Q4_0/Q4_1/Q5_0/Q5_1: {d, [m], [qh u32], qs[16]}; element j in the low nibble of qs[j], j+16 in the high. */
    private static void packLegacy(GgmlType type, MemorySegment s, long at, Random random, float[] expected, int o) {
        boolean hasMin = type == GgmlType.Q4_1 || type == GgmlType.Q5_1;
        boolean five = type == GgmlType.Q5_0 || type == GgmlType.Q5_1;
        float d = putF16(s, at, 0.125f + random.nextFloat());
        float m = hasMin ? putF16(s, at + 2, -0.5f - random.nextFloat()) : 0;
        int offset = five ? 16 : 8;
        long qs = at + 2 + (hasMin ? 2 : 0) + (five ? 4 : 0);
        int[] u = new int[32];
        int qh = 0;
        for (int j = 0; j < 32; j++) {
            u[j] = random.nextInt(five ? 32 : 16);
            qh |= (u[j] >> 4) << j;
            expected[o + j] = hasMin ? u[j] * d + m : (u[j] - offset) * d;
        }
        if (five) {
            s.set(ScalarKernels.I32, qs - 4, qh);
        }
        for (int j = 0; j < 16; j++) {
            s.set(ValueLayout.JAVA_BYTE, qs + j, (byte) ((u[j] & 0xF) | (u[j + 16] & 0xF) << 4));
        }
    }

    /** Q4_K/Q5_K: {d, dmin, scales[12], [qh[32]], qs[128]}, 8 sub-blocks of 32 with 6-bit scale and min. */
    private static void packK45(boolean five, MemorySegment s, long at, Random random, float[] expected, int o) {
        float d = putF16(s, at, 0.01f + 0.01f * random.nextFloat());
        float dmin = putF16(s, at + 2, 0.02f * random.nextFloat());
        int[] sc = new int[8];
        int[] mn = new int[8];
        for (int j = 0; j < 8; j++) {
            sc[j] = random.nextInt(64);
            mn[j] = random.nextInt(64);
        }
        long scales = at + 4;
        for (int j = 0; j < 4; j++) {
            s.set(ValueLayout.JAVA_BYTE, scales + j, (byte) (sc[j] | (sc[j + 4] >> 4) << 6));
            s.set(ValueLayout.JAVA_BYTE, scales + j + 4, (byte) (mn[j] | (mn[j + 4] >> 4) << 6));
            s.set(ValueLayout.JAVA_BYTE, scales + j + 8, (byte) ((sc[j + 4] & 0xF) | (mn[j + 4] & 0xF) << 4));
        }
        long qh = at + 16;
        long qs = at + 16 + (five ? 32 : 0);
        int[] u = new int[256];
        for (int i = 0; i < 256; i++) {
            u[i] = random.nextInt(five ? 32 : 16);
            int sub = i / 32;
            expected[o + i] = d * sc[sub] * u[i] - dmin * mn[sub];
        }
        for (int c = 0; c < 4; c++) {
            for (int l = 0; l < 32; l++) {
                int lo = u[64 * c + l];
                int hi = u[64 * c + 32 + l];
                s.set(ValueLayout.JAVA_BYTE, qs + 32 * c + l, (byte) ((lo & 0xF) | (hi & 0xF) << 4));
                if (five) {
                    int old = s.get(ValueLayout.JAVA_BYTE, qh + l) & (c == 0 ? 0 : 0xFF);
                    s.set(ValueLayout.JAVA_BYTE, qh + l, (byte) (old | (lo >> 4) << (2 * c) | (hi >> 4) << (2 * c + 1)));
                }
            }
        }
    }

    /** Q6_K: {ql[128], qh[64], scales int8[16], d}; element e has scale e / 16, quant in [-32, 31]. */
    private static void packQ6K(MemorySegment s, long at, Random random, float[] expected, int o) {
        float d = putF16(s, at + 208, 0.001f + 0.01f * random.nextFloat());
        int[] sc = new int[16];
        for (int j = 0; j < 16; j++) {
            sc[j] = random.nextInt(256) - 128;
            s.set(ValueLayout.JAVA_BYTE, at + 192 + j, (byte) sc[j]);
        }
        int[] u = new int[256];
        for (int i = 0; i < 256; i++) {
            u[i] = random.nextInt(64);
            expected[o + i] = d * sc[i / 16] * (u[i] - 32);
        }
        for (int n = 0; n < 2; n++) {
            int e = 128 * n;
            for (int l = 0; l < 32; l++) {
                s.set(ValueLayout.JAVA_BYTE, at + 64 * n + l, (byte) ((u[e + l] & 0xF) | (u[e + l + 64] & 0xF) << 4));
                s.set(ValueLayout.JAVA_BYTE, at + 64 * n + l + 32,
                        (byte) ((u[e + l + 32] & 0xF) | (u[e + l + 96] & 0xF) << 4));
                s.set(ValueLayout.JAVA_BYTE, at + 128 + 32 * n + l, (byte) ((u[e + l] >> 4) | (u[e + l + 32] >> 4) << 2
                        | (u[e + l + 64] >> 4) << 4 | (u[e + l + 96] >> 4) << 6));
            }
        }
    }
}
