package dev.hearth.server.synth;

import dev.hearth.gguf.GgmlType;

/**
 * The {@code --type} of a synthetic model, with llama.cpp's {@code general.file_type} number (llama_ftype). Plain
 * types put every 2-D and 3-D weight in that type (like {@code llama-quantize --pure}); the _M mixes follow
 * llama-quantize's default recipe ({@link #typeFor}). 1-D tensors and the MoE router stay F32.
 */
public enum SynthFileType {
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

    SynthFileType(int fileType, GgmlType base) {
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

    private boolean isMix() {
        return this == Q4_K_M || this == Q5_K_M;
    }

    /**
     * The type of one weight matrix, llama.cpp's recipe: in the _M mixes the output matrix (the tied token_embd when
     * there is none) is Q6_K, and so are attn_v and ffn_down of the layers {@link #useMoreBits} picks. K-quant rows
     * that are not a multiple of 256 fall back as llama.cpp does (Q4_K to Q5_0, Q5_K to Q5_1, Q6_K to Q8_0).
     *
     * @param role  "output" for the output matrix (or tied embedding), "attn_v", "ffn_down", or anything else
     */
    public GgmlType typeFor(String role, int layer, int layers, long rowLength) {
        GgmlType t = base;
        if (isMix()) {
            boolean moreBits = useMoreBits(layer, layers);
            if (role.equals("output") || ((role.equals("attn_v") || role.equals("ffn_down")) && moreBits)) {
                t = GgmlType.Q6_K;
            }
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
    static boolean useMoreBits(int layer, int layers) {
        return layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2;
    }
}
