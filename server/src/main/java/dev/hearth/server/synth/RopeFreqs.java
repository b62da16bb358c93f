package dev.hearth.server.synth;

/**
 * Llama-3 RoPE scaling factors as convert_hf_to_gguf writes them into {@code rope_freqs.weight}: 1 for
 * high-frequency pairs, {@code factor} for low-frequency ones, a smooth blend between.
 */
public final class RopeFreqs {
    private RopeFreqs() {}

    public static float[] llama3(int headDim, double theta, double factor, double lowFreqFactor, double highFreqFactor,
            int originalContext) {
        float[] out = new float[headDim / 2];
        double lowFreqWavelen = originalContext / lowFreqFactor;
        double highFreqWavelen = originalContext / highFreqFactor;
        for (int i = 0; i < out.length; i++) {
            double freq = 1.0 / Math.pow(theta, (2.0 * i) / headDim);
            double wavelen = 2 * Math.PI / freq;
            if (wavelen < highFreqWavelen) {
                out[i] = 1;
            } else if (wavelen > lowFreqWavelen) {
                out[i] = (float) factor;
            } else {
                double smooth = (originalContext / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
                out[i] = (float) (1 / ((1 - smooth) / factor + smooth));
            }
        }
        return out;
    }
}
