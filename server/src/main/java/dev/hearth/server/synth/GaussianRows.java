package dev.hearth.server.synth;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Seeded normal deviates, reproducible per (model seed, tensor name, row) whatever the thread that draws them:
 * each row gets its own {@link SplittableRandom} seeded from a hash of the three, and the polar method turns
 * uniform pairs into normal pairs.
 */
public final class GaussianRows {
    private GaussianRows() {}

    /** The seed of one tensor: f(model seed, tensor name). */
    public static long tensorSeed(long seed, String tensorName) {
        long h = 0xcbf29ce484222325L; // FNV-1a 64
        for (byte b : tensorName.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xFF)) * 0x100000001b3L;
        }
        return mix64(mix64(seed) ^ h);
    }

    /** Fills out[0, n) with mean + std * N(0, 1), the deviates of row {@code row} of the tensor. */
    public static void fill(long tensorSeed, long row, float mean, float std, float[] out, int n) {
        SplittableRandom random = new SplittableRandom(mix64(tensorSeed + (row + 1) * 0x9E3779B97F4A7C15L));
        int i = 0;
        while (i < n) {
            double u;
            double v;
            double s;
            do {
                u = 2 * random.nextDouble() - 1;
                v = 2 * random.nextDouble() - 1;
                s = u * u + v * v;
            } while (s >= 1 || s == 0);
            double m = Math.sqrt(-2 * Math.log(s) / s);
            out[i++] = (float) (mean + std * u * m);
            if (i < n) {
                out[i++] = (float) (mean + std * v * m);
            }
        }
    }

    /** Stafford's variant 13 of the MurmurHash3 finalizer (as SplittableRandom uses). */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
