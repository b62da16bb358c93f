package dev.hearth.model;

import dev.hearth.gguf.GgufException;
import dev.hearth.gguf.GgufFile;
import dev.hearth.gguf.GgufKeys;
import dev.hearth.gguf.GgufMetadata;
import dev.hearth.gguf.GgufTensorInfo;
import dev.hearth.kernel.Kernels;
import dev.hearth.tensor.WeightMatrix;
import java.util.Optional;

/**
 * The shape and hyper-parameters of a model, read from GGUF metadata (and the few tensors that carry
 * configuration: the vocabulary size when no key says it, tied output, {@code rope_freqs.weight}).
 *
 * @param ropeFrequencyFactors per-pair divisors of the RoPE frequencies (Llama-3 scaling), or null
 * @param ropeScale multiplier of every RoPE frequency (linear scaling: 1 / factor; otherwise 1)
 * @param expertCount 0 for a dense model
 */
public record ModelConfig(Architecture architecture, int numLayers, int dim, int numHeads, int numKeyValueHeads,
        int headSize, int ffnLength, int vocabSize, float rmsEpsilon, float ropeTheta, RopeStyle ropeStyle,
        int rotaryDims, float[] ropeFrequencyFactors, double ropeScale, int contextLength, int expertCount,
        int expertsUsed, boolean tiedOutput) {

    /** Width of all query heads together. */
    public int queryDim() {
        return numHeads * headSize;
    }

    /** Width of all key (or value) heads together: one KV cache row. */
    public int kvDim() {
        return numKeyValueHeads * headSize;
    }

    public boolean isMixtureOfExperts() {
        return expertCount > 0;
    }

    public boolean hasQkvBiases() {
        return architecture.hasQkvBiases();
    }

    public boolean hasQkNorms() {
        return architecture.hasQkNorms();
    }

    public static ModelConfig from(GgufFile file) {
        GgufMetadata md = file.metadata();
        Architecture arch = Architecture.forName(md.getString(GgufKeys.GENERAL_ARCHITECTURE));
        String a = arch.name();
        int numLayers = md.getInt(GgufKeys.blockCount(a), 1, 10_000);
        int dim = md.getInt(GgufKeys.embeddingLength(a), 1, 1 << 20);
        int numHeads = md.getInt(GgufKeys.headCount(a), 1, 10_000);
        int numKvHeads = md.getInt(GgufKeys.headCountKv(a), 1, numHeads, numHeads);
        if (numHeads % numKvHeads != 0) {
            throw new GgufException("metadata key '" + GgufKeys.headCount(a) + "' = " + numHeads
                    + " is not a multiple of '" + GgufKeys.headCountKv(a) + "' = " + numKvHeads);
        }
        if (!md.has(GgufKeys.keyLength(a)) && dim % numHeads != 0) {
            throw new GgufException("missing metadata key '" + GgufKeys.keyLength(a) + "' and "
                    + GgufKeys.embeddingLength(a) + " " + dim + " is not a multiple of the head count " + numHeads);
        }
        int headSize = md.getInt(GgufKeys.keyLength(a), 1, 1 << 16, dim / numHeads);
        int valueSize = md.getInt(GgufKeys.valueLength(a), 1, 1 << 16, headSize);
        if (valueSize != headSize) {
            throw new GgufException("metadata key '" + GgufKeys.valueLength(a) + "' = " + valueSize + " differs from '"
                    + GgufKeys.keyLength(a) + "' = " + headSize + ", which Hearth does not support");
        }
        int ffn = md.getInt(GgufKeys.feedForwardLength(a), 1, 1 << 24);
        float eps = md.getFloat(GgufKeys.layerNormRmsEpsilon(a));
        float theta = md.getFloat(GgufKeys.ropeFreqBase(a), 10_000f);
        int rotaryDims = md.getInt(GgufKeys.ropeDimensionCount(a), 2, headSize, headSize);
        if (rotaryDims % 2 != 0) {
            throw new GgufException("metadata key '" + GgufKeys.ropeDimensionCount(a) + "' = " + rotaryDims + " is odd");
        }
        double ropeScale = ropeScale(md, a);
        int context = md.getInt(GgufKeys.contextLength(a), 1, Integer.MAX_VALUE);
        int experts = md.getInt(GgufKeys.expertCount(a), 0, 1 << 16, 0);
        int used = md.getInt(GgufKeys.expertUsedCount(a), 0, Math.max(experts, 0), 0);
        if (experts > 0 && used < 1) {
            throw new GgufException("missing or zero metadata key '" + GgufKeys.expertUsedCount(a) + "' with "
                    + GgufKeys.expertCount(a) + " = " + experts);
        }
        GgufTensorInfo embedding = file.tensor(GgufKeys.TOKEN_EMBD);
        int vocab = md.getInt(GgufKeys.vocabSize(a), 1, Integer.MAX_VALUE, (int) embedding.dim(1));
        if (embedding.dim(0) != dim || embedding.dim(1) != vocab) {
            throw new GgufException("tensor '" + GgufKeys.TOKEN_EMBD + "' has shape [" + embedding.dim(0) + ", "
                    + embedding.dim(1) + "], expected [" + dim + ", " + vocab + "]");
        }
        boolean tied = file.findTensor(GgufKeys.OUTPUT).isEmpty();
        float[] factors = ropeFactors(file, rotaryDims);
        return new ModelConfig(arch, numLayers, dim, numHeads, numKvHeads, headSize, ffn, vocab, eps, theta,
                arch.ropeStyle(), rotaryDims, factors, ropeScale, context, experts, used, tied);
    }

    private static double ropeScale(GgufMetadata md, String a) {
        String type = md.getString(GgufKeys.ropeScalingType(a), "none");
        return switch (type) {
            case "none" -> 1.0;
            case "linear" -> 1.0 / md.getFloat(GgufKeys.ropeScalingFactor(a));
            default -> throw new GgufException("metadata key '" + GgufKeys.ropeScalingType(a) + "' = '" + type
                    + "' is not supported (supported: none, linear; Llama-3 scaling comes in rope_freqs.weight)");
        };
    }

    private static float[] ropeFactors(GgufFile file, int rotaryDims) {
        Optional<GgufTensorInfo> info = file.findTensor(GgufKeys.ROPE_FREQS);
        if (info.isEmpty()) {
            return null;
        }
        if (info.get().elementCount() != rotaryDims / 2) {
            throw new GgufException("tensor '" + GgufKeys.ROPE_FREQS + "' has " + info.get().elementCount()
                    + " values, expected " + rotaryDims / 2 + " (rotary dims / 2)");
        }
        float[] f = new float[rotaryDims / 2];
        Kernels.dequantizeRow(WeightMatrix.of(file, info.get()), 0, f, 0);
        return f;
    }
}
