package dev.hearth.quant;

import dev.hearth.gguf.GgmlType;

/**
 * Q5_K: like Q4_K with 5-bit levels (quantize_row_q5_K_ref). Layout: fp16 d, fp16 dmin, 12 scale bytes, 32 bytes of
 * fifth bits (bit 2i / 2i+1 of byte l for the i-th group of 64), 128 bytes of low nibbles.
 */
final class Q5KEncoder extends BlockEncoder {
    private final KScales k = new KScales();

    Q5KEncoder() {
        super(GgmlType.Q5_K);
    }

    @Override
    void encodeBlock(float[] x, int at, byte[] out, int o) {
        k.quantize(x, at, 31, -0.5f, 0.1f, 15);
        k.writeHeader(out, o);
        int qh = o + 16;
        int ql = o + 48;
        for (int j = 0; j < 32; j++) {
            out[qh + j] = 0;
        }
        int m1 = 1;
        int m2 = 2;
        for (int n = 0; n < 256; n += 64) {
            for (int j = 0; j < 32; j++) {
                int l1 = k.levels[n + j];
                if (l1 > 15) {
                    l1 -= 16;
                    out[qh + j] |= (byte) m1;
                }
                int l2 = k.levels[n + j + 32];
                if (l2 > 15) {
                    l2 -= 16;
                    out[qh + j] |= (byte) m2;
                }
                out[ql + j] = (byte) (l1 | (l2 << 4));
            }
            m1 <<= 2;
            m2 <<= 2;
            ql += 32;
        }
    }
}
