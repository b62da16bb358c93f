package dev.hearth.server.synth;

/**
 * Shapes of real models, for synthetic files of realistic size (weights random, metadata as the real file's).
 * {@code vocab} is the real vocabulary size, used when no {@code --vocab-from} GGUF is given.
 */
public enum SynthPreset {
    LLAMA_3_2_1B("llama-3.2-1b", "llama", 16, 2048, 32, 8, 64, 8192, 128256, true, 500000f, 1e-5f, 131072, false, false, true),
    QWEN2_5_0_5B("qwen2.5-0.5b", "qwen2", 24, 896, 14, 2, 64, 4864, 151936, true, 1e6f, 1e-6f, 32768, true, false, false),
    QWEN2_5_14B("qwen2.5-14b", "qwen2", 48, 5120, 40, 8, 128, 13824, 152064, false, 1e6f, 1e-6f, 32768, true, false, false),
    QWEN2_5_32B("qwen2.5-32b", "qwen2", 64, 5120, 40, 8, 128, 27648, 152064, false, 1e6f, 1e-6f, 32768, true, false, false),
    QWEN3_0_6B("qwen3-0.6b", "qwen3", 28, 1024, 16, 8, 128, 3072, 151936, true, 1e6f, 1e-6f, 40960, false, true, false);

    public final String id;
    public final String arch;
    public final int layers;
    public final int dim;
    public final int heads;
    public final int kvHeads;
    public final int headDim;
    public final int ffn;
    public final int vocab;
    public final boolean tied;
    public final float ropeTheta;
    public final float rmsEpsilon;
    public final int contextLength;
    public final boolean qkvBias;
    public final boolean qkNorm;
    public final boolean ropeFreqs;

    SynthPreset(String id, String arch, int layers, int dim, int heads, int kvHeads, int headDim, int ffn, int vocab,
            boolean tied, float ropeTheta, float rmsEpsilon, int contextLength, boolean qkvBias, boolean qkNorm,
            boolean ropeFreqs) {
        this.id = id;
        this.arch = arch;
        this.layers = layers;
        this.dim = dim;
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.ffn = ffn;
        this.vocab = vocab;
        this.tied = tied;
        this.ropeTheta = ropeTheta;
        this.rmsEpsilon = rmsEpsilon;
        this.contextLength = contextLength;
        this.qkvBias = qkvBias;
        this.qkNorm = qkNorm;
        this.ropeFreqs = ropeFreqs;
    }

    public static SynthPreset byId(String id) {
        for (SynthPreset p : values()) {
            if (p.id.equalsIgnoreCase(id)) {
                return p;
            }
        }
        StringBuilder known = new StringBuilder();
        for (SynthPreset p : values()) {
            known.append(known.isEmpty() ? "" : ", ").append(p.id);
        }
        throw new IllegalArgumentException("unknown --preset " + id + " (known: " + known + ")");
    }
}
