package dev.hearth.quant;

/**
 * The Q4_K/Q5_K super-block header shared by both encoders: eight sub-block scales and mins found with
 * {@link KQuantSearch#makeQkx2Quants}, quantized to 6 bits against fp16 super-scales d and dmin and packed into 12
 * bytes as ggml's {@code get_scale_min_k4} reads them. One instance holds the scratch of one encoder.
 */
final class KScales {
    static final int SUB_BLOCKS = 8;
    static final int SUB = 32;

    final byte[] levels = new byte[256];
    final byte[] aux = new byte[SUB];
    final float[] weights = new float[SUB];
    final float[] scales = new float[SUB_BLOCKS];
    final float[] mins = new float[SUB_BLOCKS];
    /** The packed 12 scale bytes. */
    final byte[] packed = new byte[12];
    short d;
    short dmin;

    /**
     * Quantizes the 256 values at x[at] to levels in [0, nmax]: sub-block scales and mins, their 6-bit codes, then
     * the final levels against the rounded scales. Leaves d, dmin, packed and levels set.
     */
    void quantize(float[] x, int at, int nmax, float rmin, float rdelta, int nstep) {
        float maxScale = 0;
        float maxMin = 0;
        for (int j = 0; j < SUB_BLOCKS; j++) {
            int sub = at + SUB * j;
            float sumX2 = 0;
            for (int l = 0; l < SUB; l++) {
                sumX2 += x[sub + l] * x[sub + l];
            }
            float avX = (float) Math.sqrt(sumX2 / SUB);
            for (int l = 0; l < SUB; l++) {
                weights[l] = avX + Math.abs(x[sub + l]);
            }
            scales[j] = KQuantSearch.makeQkx2Quants(SUB, nmax, x, sub, weights, levels, SUB * j, mins, j, aux,
                    rmin, rdelta, nstep);
            if (scales[j] > maxScale) {
                maxScale = scales[j];
            }
            if (mins[j] > maxMin) {
                maxMin = mins[j];
            }
        }
        float invScale = maxScale > 0 ? 63.f / maxScale : 0.f;
        float invMin = maxMin > 0 ? 63.f / maxMin : 0.f;
        for (int j = 0; j < SUB_BLOCKS; j++) {
            int ls = Math.min(63, KQuantSearch.nearestInt(invScale * scales[j]) & 0xFF);
            int lm = Math.min(63, KQuantSearch.nearestInt(invMin * mins[j]) & 0xFF);
            if (j < 4) {
                packed[j] = (byte) ls;
                packed[j + 4] = (byte) lm;
            } else {
                packed[j + 4] = (byte) ((ls & 0xF) | ((lm & 0xF) << 4));
                packed[j - 4] |= (byte) ((ls >> 4) << 6);
                packed[j] |= (byte) ((lm >> 4) << 6);
            }
        }
        d = BlockBytes.fp16(maxScale / 63.f);
        dmin = BlockBytes.fp16(maxMin / 63.f);
        float superScale = BlockBytes.fp16ToFloat(d);
        float superMin = BlockBytes.fp16ToFloat(dmin);
        for (int j = 0; j < SUB_BLOCKS; j++) {
            float scale = superScale * scale(j);
            if (scale == 0) {
                continue;
            }
            float dm = superMin * min(j);
            for (int ii = 0; ii < SUB; ii++) {
                int l = KQuantSearch.nearestInt((x[at + SUB * j + ii] + dm) / scale);
                levels[SUB * j + ii] = (byte) KQuantSearch.clamp(l, 0, nmax);
            }
        }
    }

    /** The 6-bit scale code of sub-block j (get_scale_min_k4). */
    int scale(int j) {
        return j < 4 ? packed[j] & 63 : (packed[j + 4] & 0xF) | (((packed[j - 4] & 0xFF) >> 6) << 4);
    }

    /** The 6-bit min code of sub-block j (get_scale_min_k4). */
    int min(int j) {
        return j < 4 ? packed[j + 4] & 63 : ((packed[j + 4] & 0xFF) >> 4) | (((packed[j] & 0xFF) >> 6) << 4);
    }

    /** Writes d, dmin and the 12 packed scale bytes at out[o]. */
    void writeHeader(byte[] out, int o) {
        BlockBytes.putShort(out, o, d);
        BlockBytes.putShort(out, o + 2, dmin);
        System.arraycopy(packed, 0, out, o + 4, 12);
    }
}
