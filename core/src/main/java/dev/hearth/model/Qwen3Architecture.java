package dev.hearth.model;

/** {@code qwen3}: dense Qwen3. NEOX RoPE, no biases, an RMSNorm over each query and key head before RoPE. */
public record Qwen3Architecture() implements Architecture {
    @Override
    public String name() {
        return "qwen3";
    }

    @Override
    public RopeStyle ropeStyle() {
        return RopeStyle.NEOX;
    }

    @Override
    public boolean hasQkvBiases() {
        return false;
    }

    @Override
    public boolean hasQkNorms() {
        return true;
    }
}
