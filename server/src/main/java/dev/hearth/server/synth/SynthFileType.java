package dev.hearth.server.synth;

import dev.hearth.gguf.GgmlType;
import dev.hearth.quant.QuantRecipe;

/**
 * The {@code --type} of a synthetic model. Plain types put every 2-D and 3-D weight in that type (like
 * {@code llama-quantize --pure}); the _M mixes follow llama-quantize's default recipe. The recipe itself lives in
 * {@link QuantRecipe}, shared with {@code hearth quantize}. 1-D tensors and the MoE router stay F32.
 */
public enum SynthFileType {
    F32, F16, Q4_0, Q4_1, Q8_0, Q5_0, Q5_1, Q4_K_M, Q5_K_M, Q6_K, BF16;

    private QuantRecipe recipe() {
        return QuantRecipe.valueOf(name());
    }

    /** The value of general.file_type. */
    public int fileType() {
        return recipe().fileType();
    }

    public GgmlType base() {
        return recipe().base();
    }

    /**
     * The type of one weight matrix ({@link QuantRecipe#typeFor}): pure for plain types, llama-quantize's recipe
     * for the _M mixes.
     *
     * @param role  "output" for the output matrix (or tied embedding), "attn_v", "ffn_down", or anything else
     */
    public GgmlType typeFor(String role, int layer, int layers, long rowLength) {
        boolean mix = this == Q4_K_M || this == Q5_K_M;
        return recipe().typeFor(role, layer, layers, rowLength, 0, !mix);
    }
}
