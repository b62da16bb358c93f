package dev.hearth.model;

/**
 * {@code llama}: Llama 2, 3, 3.1 and 3.2 (Llama-3 RoPE scaling comes as per-pair divisors in
 * {@code rope_freqs.weight}), Mistral, DeepSeek-R1-Distill-Llama, and Mixtral-style mixtures of experts
 * ({@code llama.expert_count} > 0). NORM RoPE, no biases, no q/k norms.
 */
public record LlamaArchitecture() implements Architecture {
    @Override
    public String name() {
        return "llama";
    }

    @Override
    public RopeStyle ropeStyle() {
        return RopeStyle.NORM;
    }

    @Override
    public boolean hasQkvBiases() {
        return false;
    }

    @Override
    public boolean hasQkNorms() {
        return false;
    }
}
