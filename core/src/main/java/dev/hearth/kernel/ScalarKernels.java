package dev.hearth.kernel;

import dev.hearth.gguf.GgmlType;
import dev.hearth.tensor.WeightMatrix;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The scalar reference kernels: dequantization of every supported type, written to follow ggml's reference C
 * (dequantize_row_*) line by line. Every vector kernel is tested against these.
 */
public final class ScalarKernels {
    private ScalarKernels() {}

    static final ValueLayout.OfShort F16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static float h(MemorySegment s, long at) {
        return Float.float16ToFloat(s.get(F16, at));
    }

    private static int u8(MemorySegment s, long at) {
        return Byte.toUnsignedInt(s.get(ValueLayout.JAVA_BYTE, at));
    }

    private static int i8(MemorySegment s, long at) {
        return s.get(ValueLayout.JAVA_BYTE, at);
    }

    /** Dequantizes n elements (a multiple of the block size) starting at byte {@code at} into out[outOffset..]. */
    public static void dequantize(GgmlType type, MemorySegment s, long at, float[] out, int outOffset, int n) {
        int nb = n / type.blockSize();
        // one small method per type: C1 compiled the whole switch inlined as one 100 KB method at every start
        switch (type) {
            // one bulk copy: a load reads every norm and bias vector through here, while the loop would still run in
            // the interpreter (and cost two compilations of this method at every start)
            case F32 -> MemorySegment.copy(s, F32, at, out, outOffset, n);
            case F16 -> dequantizeF16(s, at, out, outOffset, n);
            case BF16 -> dequantizeBf16(s, at, out, outOffset, n);
            case Q8_0 -> dequantizeQ8_0(s, at, out, outOffset, nb);
            case Q4_0 -> dequantizeQ4_0(s, at, out, outOffset, nb);
            case Q4_1 -> dequantizeQ4_1(s, at, out, outOffset, nb);
            case Q5_0 -> dequantizeQ5_0(s, at, out, outOffset, nb);
            case Q5_1 -> dequantizeQ5_1(s, at, out, outOffset, nb);
            case Q4_K -> dequantizeQ4K(s, at, out, outOffset, nb);
            case Q5_K -> dequantizeQ5K(s, at, out, outOffset, nb);
            case Q6_K -> dequantizeQ6K(s, at, out, outOffset, nb);
            default -> throw new UnsupportedOperationException("no kernels for " + type);
        }
    }

    private static void dequantizeF16(MemorySegment s, long at, float[] out, int outOffset, int n) {
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = h(s, at + 2L * i);
        }
    }

    private static void dequantizeBf16(MemorySegment s, long at, float[] out, int outOffset, int n) {
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = Float16.bf16ToFloat(s.get(F16, at + 2L * i));
        }
    }

    private static void dequantizeQ8_0(MemorySegment s, long at, float[] out, int outOffset, int nb) {
        for (int b = 0; b < nb; b++) {
            long blk = at + 34L * b;
            float d = h(s, blk);
            for (int j = 0; j < 32; j++) {
                out[outOffset + b * 32 + j] = i8(s, blk + 2 + j) * d;
            }
        }
    }

    private static void dequantizeQ4_0(MemorySegment s, long at, float[] out, int outOffset, int nb) {
        for (int b = 0; b < nb; b++) {
            long blk = at + 18L * b;
            float d = h(s, blk);
            int o = outOffset + b * 32;
            for (int j = 0; j < 16; j++) {
                int q = u8(s, blk + 2 + j);
                out[o + j] = ((q & 0x0F) - 8) * d;
                out[o + j + 16] = ((q >> 4) - 8) * d;
            }
        }
    }

    private static void dequantizeQ4_1(MemorySegment s, long at, float[] out, int outOffset, int nb) {
        for (int b = 0; b < nb; b++) {
            long blk = at + 20L * b;
            float d = h(s, blk);
            float m = h(s, blk + 2);
            int o = outOffset + b * 32;
            for (int j = 0; j < 16; j++) {
                int q = u8(s, blk + 4 + j);
                out[o + j] = (q & 0x0F) * d + m;
                out[o + j + 16] = (q >> 4) * d + m;
            }
        }
    }

    private static void dequantizeQ5_0(MemorySegment s, long at, float[] out, int outOffset, int nb) {
        for (int b = 0; b < nb; b++) {
            long blk = at + 22L * b;
            float d = h(s, blk);
            int qh = s.get(I32, blk + 2);
            int o = outOffset + b * 32;
            for (int j = 0; j < 16; j++) {
                int q = u8(s, blk + 6 + j);
                int xh0 = ((qh >>> j) << 4) & 0x10;
                int xh1 = (qh >>> (j + 12)) & 0x10;
                out[o + j] = (((q & 0x0F) | xh0) - 16) * d;
                out[o + j + 16] = (((q >> 4) | xh1) - 16) * d;
            }
        }
    }

    private static void dequantizeQ5_1(MemorySegment s, long at, float[] out, int outOffset, int nb) {
        for (int b = 0; b < nb; b++) {
            long blk = at + 24L * b;
            float d = h(s, blk);
            float m = h(s, blk + 2);
            int qh = s.get(I32, blk + 4);
            int o = outOffset + b * 32;
            for (int j = 0; j < 16; j++) {
                int q = u8(s, blk + 8 + j);
                int xh0 = ((qh >>> j) << 4) & 0x10;
                int xh1 = (qh >>> (j + 12)) & 0x10;
                out[o + j] = ((q & 0x0F) | xh0) * d + m;
                out[o + j + 16] = ((q >> 4) | xh1) * d + m;
            }
        }
    }

    private static void dequantizeQ4K(MemorySegment s, long at, float[] out, int outOffset, int nb) {
        for (int b = 0; b < nb; b++) {
            long blk = at + 144L * b;
            float d = h(s, blk);
            float dmin = h(s, blk + 2);
            long scales = blk + 4;
            long q = blk + 16;
            int o = outOffset + b * 256;
            for (int j = 0, is = 0; j < 256; j += 64, is += 2) {
                float d1 = d * scaleK4(s, scales, is);
                float m1 = dmin * minK4(s, scales, is);
                float d2 = d * scaleK4(s, scales, is + 1);
                float m2 = dmin * minK4(s, scales, is + 1);
                for (int l = 0; l < 32; l++) {
                    out[o + j + l] = d1 * (u8(s, q + l) & 0xF) - m1;
                }
                for (int l = 0; l < 32; l++) {
                    out[o + j + 32 + l] = d2 * (u8(s, q + l) >> 4) - m2;
                }
                q += 32;
            }
        }
    }

    private static void dequantizeQ5K(MemorySegment s, long at, float[] out, int outOffset, int nb) {
        for (int b = 0; b < nb; b++) {
            long blk = at + 176L * b;
            float d = h(s, blk);
            float dmin = h(s, blk + 2);
            long scales = blk + 4;
            long qh = blk + 16;
            long ql = blk + 48;
            int o = outOffset + b * 256;
            int u1 = 1;
            int u2 = 2;
            for (int j = 0, is = 0; j < 256; j += 64, is += 2) {
                float d1 = d * scaleK4(s, scales, is);
                float m1 = dmin * minK4(s, scales, is);
                float d2 = d * scaleK4(s, scales, is + 1);
                float m2 = dmin * minK4(s, scales, is + 1);
                for (int l = 0; l < 32; l++) {
                    out[o + j + l] = d1 * ((u8(s, ql + l) & 0xF) + ((u8(s, qh + l) & u1) != 0 ? 16 : 0)) - m1;
                }
                for (int l = 0; l < 32; l++) {
                    out[o + j + 32 + l] = d2 * ((u8(s, ql + l) >> 4) + ((u8(s, qh + l) & u2) != 0 ? 16 : 0)) - m2;
                }
                ql += 32;
                u1 <<= 2;
                u2 <<= 2;
            }
        }
    }

    private static void dequantizeQ6K(MemorySegment s, long at, float[] out, int outOffset, int nb) {
        for (int b = 0; b < nb; b++) {
            long blk = at + 210L * b;
            long ql = blk;
            long qh = blk + 128;
            long sc = blk + 192;
            float d = h(s, blk + 208);
            int o = outOffset + b * 256;
            for (int n128 = 0; n128 < 256; n128 += 128) {
                for (int l = 0; l < 32; l++) {
                    int is = l / 16;
                    int qhl = u8(s, qh + l);
                    int q1 = ((u8(s, ql + l) & 0xF) | ((qhl & 3) << 4)) - 32;
                    int q2 = ((u8(s, ql + l + 32) & 0xF) | (((qhl >> 2) & 3) << 4)) - 32;
                    int q3 = ((u8(s, ql + l) >> 4) | (((qhl >> 4) & 3) << 4)) - 32;
                    int q4 = ((u8(s, ql + l + 32) >> 4) | (((qhl >> 6) & 3) << 4)) - 32;
                    out[o + n128 + l] = d * i8(s, sc + is) * q1;
                    out[o + n128 + l + 32] = d * i8(s, sc + is + 2) * q2;
                    out[o + n128 + l + 64] = d * i8(s, sc + is + 4) * q3;
                    out[o + n128 + l + 96] = d * i8(s, sc + is + 6) * q4;
                }
                ql += 64;
                qh += 32;
                sc += 8;
            }
        }
    }

    /** The 6-bit scale j of a K-quant 12-byte scales block (get_scale_min_k4). */
    static int scaleK4(MemorySegment s, long scales, int j) {
        return j < 4 ? u8(s, scales + j) & 63 : (u8(s, scales + j + 4) & 0xF) | ((u8(s, scales + j - 4) >> 6) << 4);
    }

    /** The 6-bit min j of a K-quant 12-byte scales block (get_scale_min_k4). */
    static int minK4(MemorySegment s, long scales, int j) {
        return j < 4 ? u8(s, scales + j + 4) & 63 : (u8(s, scales + j + 4) >> 4) | ((u8(s, scales + j) >> 6) << 4);
    }

    /** Dequantizes row r of w into out[outOffset..outOffset+cols). */
    public static void dequantizeRow(WeightMatrix w, int row, float[] out, int outOffset) {
        dequantize(w.type(), w.data(), row * w.rowBytes(), out, outOffset, w.cols());
    }

    /** Scalar dot of row r of w with x[xOffset..xOffset+cols), through a dequantized copy (scratch: cols floats). */
    public static float dotRow(WeightMatrix w, int row, float[] x, int xOffset, float[] scratch) {
        dequantizeRow(w, row, scratch, 0);
        float sum = 0;
        for (int i = 0; i < w.cols(); i++) {
            sum += scratch[i] * x[xOffset + i];
        }
        return sum;
    }

    /** out[t * rows + r] = dot(row r of w, x[t * cols ...]) for t < numTokens: the reference for every matmul kernel. */
    public static void matmul(WeightMatrix w, float[] x, int numTokens, float[] out) {
        float[] scratch = new float[w.cols()];
        for (int r = 0; r < w.rows(); r++) {
            dequantizeRow(w, r, scratch, 0);
            for (int t = 0; t < numTokens; t++) {
                float sum = 0;
                int xo = t * w.cols();
                for (int i = 0; i < w.cols(); i++) {
                    sum += scratch[i] * x[xo + i];
                }
                out[t * w.rows() + r] = sum;
            }
        }
    }
}
