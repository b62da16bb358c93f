package dev.hearth.server.synth;

import dev.hearth.quant.RopeScaling;

/** Llama-3 RoPE scaling factors for {@code rope_freqs.weight}; the formula lives in {@link RopeScaling}. */
public final class RopeFreqs {
    private RopeFreqs() {}

    public static float[] llama3(int headDim, double theta, double factor, double lowFreqFactor, double highFreqFactor,
            int originalContext) {
        return RopeScaling.llama3Factors(headDim, theta,
                new RopeScaling.Llama3(factor, lowFreqFactor, highFreqFactor, originalContext));
    }
}
