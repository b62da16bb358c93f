package dev.hearth.server.hub;

import dev.hearth.gguf.GgufKeys;
import dev.hearth.gguf.GgufMetadata;

/** The sizes the memory planner needs, from the catalogue or from a GGUF file's metadata. */
public record ModelShape(String architecture, long parameterCount, long activeParameterCount, int layers,
                         int keyValueHeads, int headDim, int dim, int contextLength, int vocabSize) {

    /** Reads the shape from GGUF metadata; parameter counts come from the tensor directory. */
    public static ModelShape fromGguf(GgufMetadata md, long parameterCount, long activeParameterCount) {
        String arch = md.getString(GgufKeys.GENERAL_ARCHITECTURE);
        int layers = md.getInt(GgufKeys.blockCount(arch), 1, 10_000);
        int dim = md.getInt(GgufKeys.embeddingLength(arch), 1, 1 << 20);
        int heads = md.getInt(GgufKeys.headCount(arch), 1, 10_000);
        int kvHeads = md.getInt(GgufKeys.headCountKv(arch), 1, 10_000, heads);
        int headDim = md.getInt(GgufKeys.keyLength(arch), 1, 1 << 16, dim / heads);
        int ctx = md.getInt(GgufKeys.contextLength(arch), 1, Integer.MAX_VALUE, 4096);
        int vocab = md.has(GgufKeys.vocabSize(arch)) ? md.getInt(GgufKeys.vocabSize(arch), 1, 1 << 24)
                : md.has(GgufKeys.TOKENIZER_TOKENS) ? md.getArray(GgufKeys.TOKENIZER_TOKENS).length() : 32000;
        return new ModelShape(arch, parameterCount, activeParameterCount, layers, kvHeads, headDim, dim, ctx, vocab);
    }
}
