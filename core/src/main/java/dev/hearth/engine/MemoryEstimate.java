package dev.hearth.engine;

import dev.hearth.gguf.GgmlType;
import dev.hearth.gguf.GgufFile;
import dev.hearth.gguf.GgufKeys;
import dev.hearth.gguf.GgufTensorInfo;
import dev.hearth.kernel.WeightPacker;
import dev.hearth.kv.KvCache;
import dev.hearth.kv.KvPrecision;
import dev.hearth.model.ModelConfig;

/**
 * The memory a model will hold once loaded by this process, from its GGUF directory alone (nothing is read but the
 * header): what the planner adds up before a load and the load report compares with the process's resident set.
 *
 * @param fileBytes    the file's size
 * @param weightBytes  weights that become resident: each matmul matrix as the kernels hold it (repacked where the native
 *                     kernels repack its type, from memory or the repack cache's mapping, else the file's pages), plus
 *                     the small tensors; an untied token embedding is only looked up a row at a time, so it is left
 *                     out (a few rows become resident)
 * @param repackGrowthBytes what repacking adds over the same matrices in the file (part of {@code weightBytes})
 * @param kvBytes      the KV pool at full use (it becomes resident as positions are written)
 * @param computeBytes activations, attention scores and logits for one step of the largest batch
 */
public record MemoryEstimate(long fileBytes, long weightBytes, long repackGrowthBytes, long kvBytes,
        long computeBytes) {

    /** Resident bytes of the model once every KV position is in use (without the runtime's own). */
    public long totalBytes() {
        return weightBytes + kvBytes + computeBytes;
    }

    /**
     * @param context positions per sequence (at most the model's own: the runner clamps it so)
     * @param parallel sequences (KV slots)
     * @param maxBatchTokens rows per forward pass
     * @param threads compute threads
     */
    public static MemoryEstimate of(GgufFile file, int context, int parallel, KvPrecision kv, int maxBatchTokens,
            int threads) {
        ModelConfig c = ModelConfig.from(file);
        context = Math.min(context, c.contextLength());
        long weights = 0;
        long growth = 0;
        for (GgufTensorInfo t : file.tensors()) {
            boolean lookupOnly = t.name().equals(GgufKeys.TOKEN_EMBD) && !c.tiedOutput();
            if (lookupOnly) {
                continue;
            }
            if (t.shape().length < 2) {
                weights += t.byteSize();  // norms, biases: copied to floats, small
                continue;
            }
            int cols = (int) t.dim(0);
            int rows = (int) t.dim(1);
            long matrices = t.shape().length > 2 ? t.dim(2) : 1;  // a mixture's experts: one matrix each
            long fileEach = t.byteSize() / matrices;
            long prepared = WeightPacker.preparedBytes(t.type(), rows, cols, fileEach) * matrices;
            weights += prepared;
            growth += prepared - t.byteSize();
        }
        long kvBytes = KvCache.bytesPerPosition(c.numLayers(), c.kvDim(), kv)
                * parallel * roundUp(context, KvCache.DEFAULT_BLOCK_SIZE);
        long batch = maxBatchTokens;
        long activations = 4L * batch * (4L * c.dim() + 2L * c.queryDim() + 2L * c.kvDim() + 2L * c.ffnLength())
                + batch * Math.max(c.dim(), c.ffnLength()) * 2L;  // float rows, and their 8-bit copies for the kernels
        long logits = 2L * 4L * Math.min(parallel, maxBatchTokens) * c.vocabSize();  // the runner's and the engine's
        long scores = 4L * threads * context;
        return new MemoryEstimate(file.fileSize(), weights, growth, kvBytes, activations + logits + scores);
    }

    /**
     * The share repacking adds to a file of this quantization (0.08: 8% more) when its file is not at hand (catalogue
     * plans), from the types the llama.cpp recipe mixes (Q4_K_M and Q5_K_M keep about a fifth of their bytes in Q6_K:
     * output, and attn_v/ffn_down in half the layers) and each type's repacked layout here; 0 for names not known.
     */
    public static double repackGrowth(String quantization) {
        return switch (quantization.toUpperCase(java.util.Locale.ROOT)) {
            case "Q4_K_M" -> 0.8 * growth(GgmlType.Q4_K) + 0.2 * growth(GgmlType.Q6_K);
            case "Q4_K_S" -> 0.95 * growth(GgmlType.Q4_K) + 0.05 * growth(GgmlType.Q6_K);
            case "Q5_K_M" -> 0.8 * growth(GgmlType.Q5_K) + 0.2 * growth(GgmlType.Q6_K);
            case "Q5_K_S" -> 0.95 * growth(GgmlType.Q5_K) + 0.05 * growth(GgmlType.Q6_K);
            case "Q6_K" -> growth(GgmlType.Q6_K);
            case "Q4_0" -> growth(GgmlType.Q4_0);
            case "Q5_0" -> growth(GgmlType.Q5_0);
            case "Q8_0" -> growth(GgmlType.Q8_0);
            default -> 0;
        };
    }

    /** Repacked over file bytes, less one, for a 16 x 256 tile of the type (0 where this process does not repack it). */
    private static double growth(GgmlType type) {
        long file = type.byteSize(16L * 256);
        return (double) WeightPacker.preparedBytes(type, 16, 256, file) / file - 1;
    }

    private static long roundUp(long n, int multiple) {
        return (n + multiple - 1) / multiple * multiple;
    }
}
