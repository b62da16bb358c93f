package dev.hearth.quant;

import static dev.hearth.quant.BlockBytes.fp16;
import static dev.hearth.quant.BlockBytes.fp16ToFloat;
import static dev.hearth.quant.BlockBytes.putShort;

import dev.hearth.gguf.GgmlType;

/**
 * Q6_K: super-blocks of 256 = 16 sub-blocks of 16 with signed 8-bit scales, 6-bit levels (quantize_row_q6_K_ref).
 * Layout: 128 bytes of low nibbles, 64 bytes of high 2-bit pairs, 16 int8 scales, fp16 d.
 */
final class Q6KEncoder extends BlockEncoder {
    private final byte[] levels = new byte[256];
    private final float[] scales = new float[16];

    Q6KEncoder() {
        super(GgmlType.Q6_K);
    }

    @Override
    void encodeBlock(float[] x, int at, byte[] out, int o) {
        float maxScale = 0;
        float maxAbsScale = 0;
        for (int ib = 0; ib < 16; ib++) {
            float scale = KQuantSearch.makeQxQuants(16, 32, x, at + 16 * ib, levels, 16 * ib);
            scales[ib] = scale;
            if (Math.abs(scale) > maxAbsScale) {
                maxAbsScale = Math.abs(scale);
                maxScale = scale;
            }
        }
        if (maxAbsScale < KQuantSearch.GROUP_MAX_EPS) {
            java.util.Arrays.fill(out, o, o + 210, (byte) 0);
            return;
        }
        float iscale = -128.f / maxScale;
        short d = fp16(1 / iscale);
        putShort(out, o + 208, d);
        float superScale = fp16ToFloat(d);
        for (int ib = 0; ib < 16; ib++) {
            out[o + 192 + ib] = (byte) Math.min(127, KQuantSearch.nearestInt(iscale * scales[ib]));
        }
        for (int j = 0; j < 16; j++) {
            float dj = superScale * out[o + 192 + j];
            if (dj == 0) {
                continue;
            }
            for (int ii = 0; ii < 16; ii++) {
                int l = KQuantSearch.clamp(KQuantSearch.nearestInt(x[at + 16 * j + ii] / dj), -32, 31);
                levels[16 * j + ii] = (byte) (l + 32);
            }
        }
        int ql = o;
        int qh = o + 128;
        for (int j = 0; j < 256; j += 128) {
            for (int l = 0; l < 32; l++) {
                int q1 = levels[j + l] & 0xF;
                int q2 = levels[j + l + 32] & 0xF;
                int q3 = levels[j + l + 64] & 0xF;
                int q4 = levels[j + l + 96] & 0xF;
                out[ql + l] = (byte) (q1 | (q3 << 4));
                out[ql + l + 32] = (byte) (q2 | (q4 << 4));
                out[qh + l] = (byte) ((levels[j + l] >> 4) | ((levels[j + l + 32] >> 4) << 2)
                        | ((levels[j + l + 64] >> 4) << 4) | ((levels[j + l + 96] >> 4) << 6));
            }
            ql += 64;
            qh += 32;
        }
    }
}
