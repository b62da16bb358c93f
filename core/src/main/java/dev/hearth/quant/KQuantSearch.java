package dev.hearth.quant;

/**
 * The scale searches behind ggml's K-quants, transcribed from ggml-quants.c so that results match llama.cpp's files:
 * {@code nearest_int}, {@code make_qkx2_quants} (scale and min for Q4_K/Q5_K sub-blocks, weighted least squares over
 * a sweep of candidate scales) and {@code make_qx_quants} (symmetric scale for Q6_K sub-blocks). All arithmetic is in
 * float, in ggml's order of operations.
 */
final class KQuantSearch {
    private KQuantSearch() {}

    /** Float values below this magnitude make a group count as all zero (GROUP_MAX_EPS). */
    static final float GROUP_MAX_EPS = 1e-15f;

    /** Round to nearest, ties to even, through the float mantissa trick ggml uses (|v| <= 4194303). */
    static int nearestInt(float v) {
        float shifted = v + 12582912.f;
        int bits = Float.floatToRawIntBits(shifted);
        return (bits & 0x007fffff) - 0x00400000;
    }

    /**
     * Chooses scale and min for n values so that x ~ scale * L + min with L in [0, nmax], minimising the weighted
     * squared error. Writes the levels to l[lOffset..] and -min to minOut[minIndex]; returns the scale.
     *
     * @param aux scratch of n levels
     */
    static float makeQkx2Quants(int n, int nmax, float[] x, int xOffset, float[] weights, byte[] l, int lOffset,
            float[] minOut, int minIndex, byte[] aux, float rmin, float rdelta, int nstep) {
        float min = x[xOffset];
        float max = x[xOffset];
        float sumW = weights[0];
        float sumX = sumW * x[xOffset];
        for (int i = 1; i < n; i++) {
            float xi = x[xOffset + i];
            if (xi < min) {
                min = xi;
            }
            if (xi > max) {
                max = xi;
            }
            float w = weights[i];
            sumW += w;
            sumX += w * xi;
        }
        if (min > 0) {
            min = 0;
        }
        if (max == min) {
            for (int i = 0; i < n; i++) {
                l[lOffset + i] = 0;
            }
            minOut[minIndex] = -min;
            return 0.f;
        }
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float bestError = 0;
        for (int i = 0; i < n; i++) {
            int q = clamp(nearestInt(iscale * (x[xOffset + i] - min)), 0, nmax);
            l[lOffset + i] = (byte) q;
            float diff = scale * q + min - x[xOffset + i];
            bestError += weights[i] * (diff * diff);
        }
        if (nstep < 1) {
            minOut[minIndex] = -min;
            return scale;
        }
        for (int is = 0; is <= nstep; is++) {
            iscale = (rmin + rdelta * is + nmax) / (max - min);
            float sumL = 0;
            float sumL2 = 0;
            float sumXL = 0;
            for (int i = 0; i < n; i++) {
                float xi = x[xOffset + i];
                int q = clamp(nearestInt(iscale * (xi - min)), 0, nmax);
                aux[i] = (byte) q;
                float w = weights[i];
                sumL += w * q;
                sumL2 += w * q * q;
                sumXL += w * q * xi;
            }
            float det = sumW * sumL2 - sumL * sumL;
            if (det > 0) {
                float thisScale = (sumW * sumXL - sumX * sumL) / det;
                float thisMin = (sumL2 * sumX - sumL * sumXL) / det;
                if (thisMin > 0) {
                    thisMin = 0;
                    thisScale = sumXL / sumL2;
                }
                float curError = 0;
                for (int i = 0; i < n; i++) {
                    float diff = thisScale * aux[i] + thisMin - x[xOffset + i];
                    curError += weights[i] * (diff * diff);
                }
                if (curError < bestError) {
                    System.arraycopy(aux, 0, l, lOffset, n);
                    bestError = curError;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        minOut[minIndex] = -min;
        return scale;
    }

    /**
     * Chooses a signed scale for n values so that x ~ scale * (L - nmax) with L in [0, 2 nmax), weighting each
     * value by x^2 (ggml's rmse_type 1) and trying 18 scales around nmax / max. Writes L to l[lOffset..].
     */
    static float makeQxQuants(int n, int nmax, float[] x, int xOffset, byte[] l, int lOffset) {
        float max = 0;
        float amax = 0;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[xOffset + i]);
            if (ax > amax) {
                amax = ax;
                max = x[xOffset + i];
            }
        }
        if (amax < GROUP_MAX_EPS) {
            for (int i = 0; i < n; i++) {
                l[lOffset + i] = 0;
            }
            return 0.f;
        }
        float iscale = -nmax / max;
        float sumLX = 0;
        float sumL2 = 0;
        for (int i = 0; i < n; i++) {
            float xi = x[xOffset + i];
            int q = clamp(nearestInt(iscale * xi), -nmax, nmax - 1);
            l[lOffset + i] = (byte) (q + nmax);
            float w = xi * xi;
            sumLX += w * xi * q;
            sumL2 += w * q * q;
        }
        float scale = sumL2 != 0 ? sumLX / sumL2 : 0.0f;
        float best = scale * sumLX;
        for (int is = -9; is <= 9; is++) {
            if (is == 0) {
                continue;
            }
            iscale = -(nmax + 0.1f * is) / max;
            sumLX = 0;
            sumL2 = 0;
            for (int i = 0; i < n; i++) {
                float xi = x[xOffset + i];
                int q = clamp(nearestInt(iscale * xi), -nmax, nmax - 1);
                float w = xi * xi;
                sumLX += w * xi * q;
                sumL2 += w * q * q;
            }
            if (sumL2 > 0 && sumLX * sumLX > best * sumL2) {
                for (int i = 0; i < n; i++) {
                    int q = clamp(nearestInt(iscale * x[xOffset + i]), -nmax, nmax - 1);
                    l[lOffset + i] = (byte) (q + nmax);
                }
                scale = sumLX / sumL2;
                best = scale * sumLX;
            }
        }
        return scale;
    }

    static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
