package dev.hearth.quant;

import dev.hearth.gguf.GgmlType;

/**
 * The target of a conversion or quantization ({@code --type}) with llama.cpp's {@code general.file_type} number
 * (llama_ftype), and the type each weight matrix gets, following llama-quantize's {@code llama_tensor_get_type}.
 * Float and Q8_0 targets put every matrix in that type, as convert_hf_to_gguf does. A {@code pure} recipe does the
 * same for every type (llama-quantize {@code --pure}); otherwise quantized targets get llama-quantize's default
 * recipe. 1-D tensors and the MoE router stay F32 in every case; callers decide which tensors those are.
 * Shared by the converter ({@link CheckpointConverter}) and {@code hearth synth}.
 */
public enum QuantRecipe {
    F32(0, GgmlType.F32),
    F16(1, GgmlType.F16),
    Q4_0(2, GgmlType.Q4_0),
    Q4_1(3, GgmlType.Q4_1),
    Q8_0(7, GgmlType.Q8_0),
    Q5_0(8, GgmlType.Q5_0),
    Q5_1(9, GgmlType.Q5_1),
    Q4_K_M(15, GgmlType.Q4_K),
    Q5_K_M(17, GgmlType.Q5_K),
    Q6_K(18, GgmlType.Q6_K),
    BF16(32, GgmlType.BF16);

    private final int fileType;
    private final GgmlType base;

    QuantRecipe(int fileType, GgmlType base) {
        this.fileType = fileType;
        this.base = base;
    }

    /** The value of general.file_type. */
    public int fileType() {
        return fileType;
    }

    public GgmlType base() {
        return base;
    }

    /** The recipe named by a {@code --type} value (case-insensitive), or an error listing the known ones. */
    public static QuantRecipe parse(String name) {
        try {
            return valueOf(name.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--type " + name + " is not one of "
                    + java.util.Arrays.toString(values()));
        }
    }

    private boolean isMix() {
        return this == Q4_K_M || this == Q5_K_M;
    }

    /**
     * The type of one weight matrix.
     *
     * @param role  "output" for the output matrix (or the tied token_embd, which then serves as output),
     *     "attn_v", "attn_k", "attn_output", "ffn_down", or anything else (e.g. "token_embd", "attn_q", "ffn_up")
     * @param layer  the block index (0 for tensors outside blocks)
     * @param rowLength  the contiguous dimension (GGML shape[0]); K-quants need multiples of 256, others of 32
     * @param experts  the expert count (0 for dense models): 8-expert models get Q8_0 attn_k/attn_v
     * @param pure  every matrix in the base type (llama-quantize --pure)
     */
    public GgmlType typeFor(String role, int layer, int layers, long rowLength, int experts, boolean pure) {
        GgmlType t = base;
        if (!base.isQuantized()) {
            return rowLength % t.blockSize() == 0 ? t : GgmlType.F16;
        }
        if (pure) {
            t = base;
        } else if (base != GgmlType.Q8_0) {
            boolean moreBits = useMoreBits(layer, layers);
            switch (role) {
                case "output" -> t = rowLength % 256 != 0 ? GgmlType.Q8_0 : GgmlType.Q6_K;
                case "attn_v" -> {
                    if (isMix() && moreBits) {
                        t = GgmlType.Q6_K;
                    }
                    if (experts == 8) {
                        t = GgmlType.Q8_0;
                    }
                }
                case "attn_k" -> t = experts == 8 ? GgmlType.Q8_0 : t;
                case "attn_output" -> t = experts == 8 && this == Q4_K_M ? GgmlType.Q5_K : t;
                case "ffn_down" -> t = isMix() && moreBits ? GgmlType.Q6_K : t;
                default -> { }
            }
        } else if (experts == 8 && (role.equals("attn_v") || role.equals("attn_k"))) {
            t = GgmlType.Q8_0;
        }
        if (rowLength % t.blockSize() != 0) {
            t = switch (t) {
                case Q4_K -> GgmlType.Q5_0;
                case Q5_K -> GgmlType.Q5_1;
                case Q6_K -> GgmlType.Q8_0;
                default -> t;
            };
        }
        if (rowLength % t.blockSize() != 0) {
            t = GgmlType.F16;
        }
        return t;
    }

    /** llama.cpp's use_more_bits: the first and last eighth of the layers, and every third one between. */
    public static boolean useMoreBits(int layer, int layers) {
        return layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2;
    }
}
