package dev.hearth.quant;

import dev.hearth.gguf.GgufKeys;
import dev.hearth.gguf.GgufValue;
import java.util.LinkedHashMap;
import java.util.Map;

/** The GGUF metadata of a converted checkpoint: convert_hf_to_gguf's keys, in its order, then the tokenizer keys. */
public final class ConvertMetadata {
    private ConvertMetadata() {}

    public static Map<String, GgufValue> of(HfModelConfig c, QuantRecipe recipe, Map<String, GgufValue> tokenizer) {
        String a = c.arch();
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put(GgufKeys.GENERAL_ARCHITECTURE, GgufValue.ofString(a));
        m.put("general.type", GgufValue.ofString("model"));
        m.put(GgufKeys.GENERAL_NAME, GgufValue.ofString(c.name()));
        m.put(GgufKeys.blockCount(a), GgufValue.ofUInt32(c.layers()));
        m.put(GgufKeys.contextLength(a), GgufValue.ofUInt32(c.contextLength()));
        m.put(GgufKeys.embeddingLength(a), GgufValue.ofUInt32(c.dim()));
        m.put(GgufKeys.feedForwardLength(a), GgufValue.ofUInt32(c.ffn()));
        m.put(GgufKeys.headCount(a), GgufValue.ofUInt32(c.heads()));
        m.put(GgufKeys.headCountKv(a), GgufValue.ofUInt32(c.kvHeads()));
        m.put(GgufKeys.ropeFreqBase(a), GgufValue.ofFloat32(c.ropeTheta()));
        m.put(GgufKeys.layerNormRmsEpsilon(a), GgufValue.ofFloat32(c.rmsEpsilon()));
        if (c.isMoe()) {
            m.put(GgufKeys.expertCount(a), GgufValue.ofUInt32(c.experts()));
            m.put(GgufKeys.expertUsedCount(a), GgufValue.ofUInt32(c.expertsUsed()));
        }
        m.put(GgufKeys.GENERAL_FILE_TYPE, GgufValue.ofUInt32(recipe.fileType()));
        if (a.equals("llama")) {
            m.put(GgufKeys.vocabSize(a), GgufValue.ofUInt32(c.vocabSize()));
            m.put(GgufKeys.ropeDimensionCount(a), GgufValue.ofUInt32(c.headDim()));
        }
        if (c.headDimExplicit()) {
            m.put(GgufKeys.keyLength(a), GgufValue.ofUInt32(c.headDim()));
            m.put(GgufKeys.valueLength(a), GgufValue.ofUInt32(c.headDim()));
        }
        switch (c.ropeScaling()) {
            case null -> { }
            case RopeScaling.Llama3 l -> { } // written as the rope_freqs.weight tensor
            case RopeScaling.Linear l -> {
                m.put(GgufKeys.ropeScalingType(a), GgufValue.ofString("linear"));
                m.put(GgufKeys.ropeScalingFactor(a), GgufValue.ofFloat32((float) l.factor()));
            }
            case RopeScaling.Yarn y -> {
                m.put(GgufKeys.ropeScalingType(a), GgufValue.ofString("yarn"));
                m.put(GgufKeys.ropeScalingFactor(a), GgufValue.ofFloat32((float) y.factor()));
                m.put(GgufKeys.ropeScalingOriginalContextLength(a), GgufValue.ofUInt32(y.originalContext()));
            }
        }
        m.putAll(tokenizer);
        if (recipe.base().isQuantized()) {
            m.put(GgufKeys.GENERAL_QUANTIZATION_VERSION, GgufValue.ofUInt32(2));
        }
        return m;
    }
}
