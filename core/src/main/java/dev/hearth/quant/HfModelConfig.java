package dev.hearth.quant;

/**
 * The hyperparameters of a Hugging Face checkpoint that the converter needs, read from its {@code config.json} (the
 * server parses the JSON; {@code core} takes no JSON library). {@code arch} is the GGUF architecture that
 * {@link #ggufArchitecture} derives from {@code architectures[0]}. {@code headDimExplicit} says whether config.json
 * named {@code head_dim} (then key_length/value_length are written, as convert_hf_to_gguf does).
 */
public record HfModelConfig(
        String hfArchitecture,
        String arch,
        int layers,
        int dim,
        int heads,
        int kvHeads,
        int headDim,
        boolean headDimExplicit,
        int ffn,
        int vocabSize,
        int contextLength,
        float ropeTheta,
        float rmsEpsilon,
        boolean tied,
        int experts,
        int expertsUsed,
        RopeScaling ropeScaling,
        String name) {

    public HfModelConfig {
        positive("num_hidden_layers", layers);
        positive("hidden_size", dim);
        positive("num_attention_heads", heads);
        positive("num_key_value_heads", kvHeads);
        positive("head_dim", headDim);
        positive("intermediate_size", ffn);
        positive("vocab_size", vocabSize);
        positive("max_position_embeddings", contextLength);
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("config.json: num_attention_heads " + heads
                    + " is not a multiple of num_key_value_heads " + kvHeads);
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("config.json: head dimension " + headDim + " is odd");
        }
        if (experts < 0 || (experts > 0 && (expertsUsed < 1 || expertsUsed > experts))) {
            throw new IllegalArgumentException("config.json: num_experts_per_tok " + expertsUsed
                    + " must lie in [1, num_local_experts " + experts + "]");
        }
        if (experts > 0 && !arch.equals("llama")) {
            throw new IllegalArgumentException("config.json: experts are supported for the Mixtral layout only");
        }
    }

    private static void positive(String field, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException("config.json: " + field + " must be positive, got " + v);
        }
    }

    /**
     * The GGUF architecture for a Hugging Face {@code architectures[0]} class name, as convert_hf_to_gguf registers
     * them; a clear error for any other.
     */
    public static String ggufArchitecture(String hfArchitecture) {
        return switch (hfArchitecture) {
            case "LlamaForCausalLM", "MistralForCausalLM", "MixtralForCausalLM" -> "llama";
            case "Qwen2ForCausalLM" -> "qwen2";
            case "Qwen3ForCausalLM" -> "qwen3";
            default -> throw new IllegalArgumentException("config.json: architecture " + hfArchitecture
                    + " is not supported (supported: LlamaForCausalLM, MistralForCausalLM, MixtralForCausalLM, "
                    + "Qwen2ForCausalLM, Qwen3ForCausalLM)");
        };
    }

    /** Whether the checkpoint's q/k rows are in rotary-halves order and need llama.cpp's interleaving permutation. */
    public boolean permutesQueryKey() {
        return arch.equals("llama");
    }

    public boolean isMoe() {
        return experts > 0;
    }
}
