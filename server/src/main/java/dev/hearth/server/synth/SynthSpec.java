package dev.hearth.server.synth;

import java.nio.file.Path;

/**
 * The shape and contents of a synthetic model: architecture, sizes, tokenizer source, weight type and seed.
 * {@code vocabFrom} (a GGUF whose tokenizer.* keys are copied) wins over {@code vocabSize} when set.
 */
public record SynthSpec(
        String arch,
        int layers,
        int dim,
        int heads,
        int kvHeads,
        int headDim,
        int ffn,
        int experts,
        int expertsUsed,
        Path vocabFrom,
        int vocabSize,
        boolean tied,
        SynthFileType type,
        int contextLength,
        float ropeTheta,
        float rmsEpsilon,
        boolean qkvBias,
        boolean qkNorm,
        boolean ropeFreqs,
        long seed,
        String name) {

    public SynthSpec {
        if (!arch.equals("llama") && !arch.equals("qwen2") && !arch.equals("qwen3")) {
            throw new IllegalArgumentException("--arch " + arch + " is not one of llama, qwen2, qwen3");
        }
        positive("--layers", layers);
        positive("--dim", dim);
        positive("--heads", heads);
        positive("--kv-heads", kvHeads);
        positive("--head-dim", headDim);
        positive("--ffn", ffn);
        positive("--ctx", contextLength);
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("--heads " + heads + " is not a multiple of --kv-heads " + kvHeads);
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("head dimension " + headDim + " is odd (RoPE rotates pairs)");
        }
        if (experts < 0 || expertsUsed < 0 || (experts > 0 && (expertsUsed < 1 || expertsUsed > experts))) {
            throw new IllegalArgumentException("--experts-used " + expertsUsed + " must lie in [1, --experts "
                    + experts + "]");
        }
        if (experts > 0 && !arch.equals("llama")) {
            throw new IllegalArgumentException("--experts is supported for --arch llama (Mixtral layout) only");
        }
        if (vocabFrom == null) {
            positive("--vocab", vocabSize);
        }
    }

    private static void positive(String option, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(option + " must be positive, got " + v);
        }
    }

    public boolean isMoe() {
        return experts > 0;
    }
}
