package dev.hearth.quant;

/**
 * A Hugging Face {@code rope_scaling} setting as the converter writes it: Llama-3 scaling becomes the
 * {@code rope_freqs.weight} tensor ({@link #llama3Factors}), linear and YaRN become {@code rope.scaling.*} keys.
 */
public sealed interface RopeScaling {
    /** Llama 3.1+ ("rope_type": "llama3"). */
    record Llama3(double factor, double lowFreqFactor, double highFreqFactor, int originalContext)
            implements RopeScaling {}

    /** Position interpolation ("rope_type": "linear"). */
    record Linear(double factor) implements RopeScaling {}

    /** YaRN ("rope_type": "yarn"), e.g. Qwen's long-context setting. */
    record Yarn(double factor, int originalContext) implements RopeScaling {}

    /**
     * Llama-3 scaling factors as convert_hf_to_gguf writes them into {@code rope_freqs.weight} (one per rotated pair;
     * the frequency of pair i is divided by it): 1 for high-frequency pairs, {@code factor} for low-frequency ones,
     * a smooth blend between.
     */
    static float[] llama3Factors(int headDim, double theta, Llama3 s) {
        float[] out = new float[headDim / 2];
        double lowFreqWavelen = s.originalContext() / s.lowFreqFactor();
        double highFreqWavelen = s.originalContext() / s.highFreqFactor();
        for (int i = 0; i < out.length; i++) {
            double freq = 1.0 / Math.pow(theta, (2.0 * i) / headDim);
            double wavelen = 2 * Math.PI / freq;
            if (wavelen < highFreqWavelen) {
                out[i] = 1;
            } else if (wavelen > lowFreqWavelen) {
                out[i] = (float) s.factor();
            } else {
                double smooth = (s.originalContext() / wavelen - s.lowFreqFactor())
                        / (s.highFreqFactor() - s.lowFreqFactor());
                out[i] = (float) (1 / ((1 - smooth) / s.factor() + smooth));
            }
        }
        return out;
    }
}
