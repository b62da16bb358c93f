package dev.hearth.quant;

import static dev.hearth.quant.BlockBytes.fp16;
import static dev.hearth.quant.BlockBytes.putInt;
import static dev.hearth.quant.BlockBytes.putShort;

import dev.hearth.gguf.GgmlType;

/**
 * The 32-element block types (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1), each a transcription of ggml's
 * {@code quantize_row_<type>_ref}: one scale (and a min for the _1 types) per block, round or truncate as ggml does.
 */
final class LegacyEncoders {
    private LegacyEncoders() {}

    /** roundf: to nearest, halves away from zero. */
    static int roundf(float v) {
        double d = v;
        return (int) (d >= 0 ? Math.floor(d + 0.5) : -Math.floor(-d + 0.5));
    }

    /** The element of largest magnitude (the first one on ties), sign kept. */
    static float signedAbsMax(float[] x, int at, int n) {
        float amax = 0;
        float max = 0;
        for (int j = 0; j < n; j++) {
            float v = x[at + j];
            if (amax < Math.abs(v)) {
                amax = Math.abs(v);
                max = v;
            }
        }
        return max;
    }

    /** d = absmax / 127; q = round(x / d). Layout: fp16 d, 32 x int8. */
    static final class Q8_0 extends BlockEncoder {
        Q8_0() {
            super(GgmlType.Q8_0);
        }

        @Override
        void encodeBlock(float[] x, int at, byte[] out, int o) {
            float amax = 0;
            for (int j = 0; j < 32; j++) {
                amax = Math.max(amax, Math.abs(x[at + j]));
            }
            float d = amax / 127;
            float id = d != 0 ? 1.0f / d : 0.0f;
            putShort(out, o, fp16(d));
            for (int j = 0; j < 32; j++) {
                out[o + 2 + j] = (byte) roundf(x[at + j] * id);
            }
        }
    }

    /** d = max / -8 (max: the signed element of largest magnitude); q = min(15, trunc(x / d + 8.5)). */
    static final class Q4_0 extends BlockEncoder {
        Q4_0() {
            super(GgmlType.Q4_0);
        }

        @Override
        void encodeBlock(float[] x, int at, byte[] out, int o) {
            float d = signedAbsMax(x, at, 32) / -8;
            float id = d != 0 ? 1.0f / d : 0.0f;
            putShort(out, o, fp16(d));
            for (int j = 0; j < 16; j++) {
                int q0 = Math.min(15, (byte) (int) (x[at + j] * id + 8.5f));
                int q1 = Math.min(15, (byte) (int) (x[at + 16 + j] * id + 8.5f));
                out[o + 2 + j] = (byte) (q0 | (q1 << 4));
            }
        }
    }

    /** d = (max - min) / 15, m = min; q = min(15, trunc((x - min) / d + 0.5)). */
    static final class Q4_1 extends BlockEncoder {
        Q4_1() {
            super(GgmlType.Q4_1);
        }

        @Override
        void encodeBlock(float[] x, int at, byte[] out, int o) {
            float min = blockMin(x, at);
            float max = blockMax(x, at);
            float d = (max - min) / 15;
            float id = d != 0 ? 1.0f / d : 0.0f;
            putShort(out, o, fp16(d));
            putShort(out, o + 2, fp16(min));
            for (int j = 0; j < 16; j++) {
                int q0 = Math.min(15, (byte) (int) ((x[at + j] - min) * id + 0.5f));
                int q1 = Math.min(15, (byte) (int) ((x[at + 16 + j] - min) * id + 0.5f));
                out[o + 4 + j] = (byte) (q0 | (q1 << 4));
            }
        }
    }

    /** d = max / -16; 5-bit q = min(31, trunc(x / d + 16.5)); low nibbles, then the 32 fifth bits in a uint32. */
    static final class Q5_0 extends BlockEncoder {
        Q5_0() {
            super(GgmlType.Q5_0);
        }

        @Override
        void encodeBlock(float[] x, int at, byte[] out, int o) {
            float d = signedAbsMax(x, at, 32) / -16;
            float id = d != 0 ? 1.0f / d : 0.0f;
            putShort(out, o, fp16(d));
            int qh = 0;
            for (int j = 0; j < 16; j++) {
                int q0 = Math.min(31, (byte) (int) (x[at + j] * id + 16.5f));
                int q1 = Math.min(31, (byte) (int) (x[at + 16 + j] * id + 16.5f));
                out[o + 6 + j] = (byte) ((q0 & 0x0F) | ((q1 & 0x0F) << 4));
                qh |= ((q0 & 0x10) >>> 4) << j;
                qh |= ((q1 & 0x10) >>> 4) << (j + 16);
            }
            putInt(out, o + 2, qh);
        }
    }

    /** d = (max - min) / 31, m = min; 5-bit q = trunc((x - min) / d + 0.5). */
    static final class Q5_1 extends BlockEncoder {
        Q5_1() {
            super(GgmlType.Q5_1);
        }

        @Override
        void encodeBlock(float[] x, int at, byte[] out, int o) {
            float min = blockMin(x, at);
            float max = blockMax(x, at);
            float d = (max - min) / 31;
            float id = d != 0 ? 1.0f / d : 0.0f;
            putShort(out, o, fp16(d));
            putShort(out, o + 2, fp16(min));
            int qh = 0;
            for (int j = 0; j < 16; j++) {
                int q0 = ((int) ((x[at + j] - min) * id + 0.5f)) & 0xFF;
                int q1 = ((int) ((x[at + 16 + j] - min) * id + 0.5f)) & 0xFF;
                out[o + 8 + j] = (byte) ((q0 & 0x0F) | ((q1 & 0x0F) << 4));
                qh |= ((q0 & 0x10) >>> 4) << j;
                qh |= ((q1 & 0x10) >>> 4) << (j + 16);
            }
            putInt(out, o + 4, qh);
        }
    }

    /** The smallest of the block's 32 values (NaNs pass over). */
    private static float blockMin(float[] x, int at) {
        float min = Float.MAX_VALUE;
        for (int j = 0; j < 32; j++) {
            if (x[at + j] < min) {
                min = x[at + j];
            }
        }
        return min;
    }

    /** The largest of the block's 32 values (NaNs pass over). */
    private static float blockMax(float[] x, int at) {
        float max = -Float.MAX_VALUE;
        for (int j = 0; j < 32; j++) {
            if (x[at + j] > max) {
                max = x[at + j];
            }
        }
        return max;
    }
}
