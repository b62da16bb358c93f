package dev.hearth.gguf;

/** GGUF metadata key names, verbatim as llama.cpp writes them. Architecture-scoped keys take the architecture name. */
public final class GgufKeys {
    private GgufKeys() {}

    public static final String GENERAL_ARCHITECTURE = "general.architecture";
    public static final String GENERAL_NAME = "general.name";
    public static final String GENERAL_ALIGNMENT = "general.alignment";
    public static final String GENERAL_FILE_TYPE = "general.file_type";
    public static final String GENERAL_QUANTIZATION_VERSION = "general.quantization_version";
    public static final String GENERAL_SIZE_LABEL = "general.size_label";

    public static String contextLength(String arch) {
        return arch + ".context_length";
    }

    public static String embeddingLength(String arch) {
        return arch + ".embedding_length";
    }

    public static String blockCount(String arch) {
        return arch + ".block_count";
    }

    public static String feedForwardLength(String arch) {
        return arch + ".feed_forward_length";
    }

    public static String headCount(String arch) {
        return arch + ".attention.head_count";
    }

    public static String headCountKv(String arch) {
        return arch + ".attention.head_count_kv";
    }

    public static String keyLength(String arch) {
        return arch + ".attention.key_length";
    }

    public static String valueLength(String arch) {
        return arch + ".attention.value_length";
    }

    public static String layerNormRmsEpsilon(String arch) {
        return arch + ".attention.layer_norm_rms_epsilon";
    }

    public static String ropeFreqBase(String arch) {
        return arch + ".rope.freq_base";
    }

    public static String ropeDimensionCount(String arch) {
        return arch + ".rope.dimension_count";
    }

    public static String ropeScalingType(String arch) {
        return arch + ".rope.scaling.type";
    }

    public static String ropeScalingFactor(String arch) {
        return arch + ".rope.scaling.factor";
    }

    public static String ropeScalingOriginalContextLength(String arch) {
        return arch + ".rope.scaling.original_context_length";
    }

    public static String expertCount(String arch) {
        return arch + ".expert_count";
    }

    public static String expertUsedCount(String arch) {
        return arch + ".expert_used_count";
    }

    public static String vocabSize(String arch) {
        return arch + ".vocab_size";
    }

    public static final String TOKENIZER_MODEL = "tokenizer.ggml.model";
    public static final String TOKENIZER_PRE = "tokenizer.ggml.pre";
    public static final String TOKENIZER_TOKENS = "tokenizer.ggml.tokens";
    public static final String TOKENIZER_SCORES = "tokenizer.ggml.scores";
    public static final String TOKENIZER_TOKEN_TYPE = "tokenizer.ggml.token_type";
    public static final String TOKENIZER_MERGES = "tokenizer.ggml.merges";
    public static final String TOKENIZER_BOS_ID = "tokenizer.ggml.bos_token_id";
    public static final String TOKENIZER_EOS_ID = "tokenizer.ggml.eos_token_id";
    public static final String TOKENIZER_EOT_ID = "tokenizer.ggml.eot_token_id";
    public static final String TOKENIZER_EOM_ID = "tokenizer.ggml.eom_token_id";
    public static final String TOKENIZER_UNK_ID = "tokenizer.ggml.unknown_token_id";
    public static final String TOKENIZER_PAD_ID = "tokenizer.ggml.padding_token_id";
    public static final String TOKENIZER_ADD_BOS = "tokenizer.ggml.add_bos_token";
    public static final String TOKENIZER_ADD_EOS = "tokenizer.ggml.add_eos_token";
    public static final String TOKENIZER_ADD_SPACE_PREFIX = "tokenizer.ggml.add_space_prefix";
    public static final String TOKENIZER_CHAT_TEMPLATE = "tokenizer.chat_template";

    /** Tensor names, with {@code %d} for the block index. */
    public static final String TOKEN_EMBD = "token_embd.weight";
    public static final String OUTPUT_NORM = "output_norm.weight";
    public static final String OUTPUT = "output.weight";
    public static final String ROPE_FREQS = "rope_freqs.weight";
    public static final String ATTN_NORM = "blk.%d.attn_norm.weight";
    public static final String ATTN_Q = "blk.%d.attn_q.weight";
    public static final String ATTN_K = "blk.%d.attn_k.weight";
    public static final String ATTN_V = "blk.%d.attn_v.weight";
    public static final String ATTN_Q_BIAS = "blk.%d.attn_q.bias";
    public static final String ATTN_K_BIAS = "blk.%d.attn_k.bias";
    public static final String ATTN_V_BIAS = "blk.%d.attn_v.bias";
    public static final String ATTN_Q_NORM = "blk.%d.attn_q_norm.weight";
    public static final String ATTN_K_NORM = "blk.%d.attn_k_norm.weight";
    public static final String ATTN_OUTPUT = "blk.%d.attn_output.weight";
    public static final String FFN_NORM = "blk.%d.ffn_norm.weight";
    public static final String FFN_GATE = "blk.%d.ffn_gate.weight";
    public static final String FFN_UP = "blk.%d.ffn_up.weight";
    public static final String FFN_DOWN = "blk.%d.ffn_down.weight";
    public static final String FFN_GATE_INP = "blk.%d.ffn_gate_inp.weight";
    public static final String FFN_GATE_EXPS = "blk.%d.ffn_gate_exps.weight";
    public static final String FFN_UP_EXPS = "blk.%d.ffn_up_exps.weight";
    public static final String FFN_DOWN_EXPS = "blk.%d.ffn_down_exps.weight";

    public static String block(String pattern, int layer) {
        return pattern.replace("%d", Integer.toString(layer));
    }
}
