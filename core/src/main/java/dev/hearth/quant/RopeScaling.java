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
        // float32 arithmetic throughout, as the converter's torch float32 tensors compute it (bit-exact results)
        float[] out = new float[headDim / 2];
        float factor = (float) s.factor();
        float low = (float) s.lowFreqFactor();
        float high = (float) s.highFreqFactor();
        float context = s.originalContext();
        float lowFreqWavelen = context / low;
        float highFreqWavelen = context / high;
        for (int i = 0; i < out.length; i++) {
            float freq = 1f / (float) Math.pow((float) theta, (float) (2 * i) / headDim);
            float wavelen = (float) (2 * Math.PI) / freq;
            if (wavelen < highFreqWavelen) {
                out[i] = 1;
            } else if (wavelen > lowFreqWavelen) {
                out[i] = factor;
            } else {
                float smooth = (context / wavelen - low) / (high - low);
                out[i] = 1f / ((1f - smooth) / factor + smooth);
            }
        }
        return out;
    }
}
