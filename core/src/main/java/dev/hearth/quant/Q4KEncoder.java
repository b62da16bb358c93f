package dev.hearth.quant;

import dev.hearth.gguf.GgmlType;

/**
 * Q4_K: super-blocks of 256 = 8 sub-blocks of 32 with 6-bit scales and mins, 4-bit levels (quantize_row_q4_K_ref).
 * Layout: fp16 d, fp16 dmin, 12 scale bytes, 128 bytes of nibbles (per 64 values: low nibbles the first 32, high
 * nibbles the next 32).
 */
final class Q4KEncoder extends BlockEncoder {
    private final KScales k = new KScales();

    Q4KEncoder() {
        super(GgmlType.Q4_K);
    }

    @Override
    void encodeBlock(float[] x, int at, byte[] out, int o) {
        k.quantize(x, at, 15, -1.f, 0.1f, 20);
        k.writeHeader(out, o);
        int q = o + 16;
        for (int j = 0; j < 256; j += 64) {
            for (int l = 0; l < 32; l++) {
                out[q + l] = (byte) (k.levels[j + l] | (k.levels[j + l + 32] << 4));
            }
            q += 32;
        }
    }
}
