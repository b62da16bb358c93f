package dev.hearth.model;

/** {@code qwen2}: Qwen2 and Qwen2.5. NEOX RoPE and biases on the q, k and v projections. */
public record Qwen2Architecture() implements Architecture {
    @Override
    public String name() {
        return "qwen2";
    }

    @Override
    public RopeStyle ropeStyle() {
        return RopeStyle.NEOX;
    }

    @Override
    public boolean hasQkvBiases() {
        return true;
    }

    @Override
    public boolean hasQkNorms() {
        return false;
    }
}
