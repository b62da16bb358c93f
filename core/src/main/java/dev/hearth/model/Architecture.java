package dev.hearth.model;

import dev.hearth.gguf.GgufException;

/**
 * A model family: the hooks by which it differs from the shared transformer in {@link Transformer}. Families are
 * keyed by {@code general.architecture}.
 */
public sealed interface Architecture permits LlamaArchitecture, Qwen2Architecture, Qwen3Architecture {
    /** The {@code general.architecture} value. */
    String name();

    RopeStyle ropeStyle();

    /** Whether attn_q/k/v carry biases (required tensors). */
    boolean hasQkvBiases();

    /** Whether each query and key head is RMS-normalized ({@code attn_q_norm}, {@code attn_k_norm}) before RoPE. */
    boolean hasQkNorms();

    static Architecture forName(String name) {
        return switch (name) {
            case "llama" -> new LlamaArchitecture();
            case "qwen2" -> new Qwen2Architecture();
            case "qwen3" -> new Qwen3Architecture();
            default -> throw new GgufException("general.architecture '" + name
                    + "' is not supported (supported: llama, qwen2, qwen3)");
        };
    }
}
