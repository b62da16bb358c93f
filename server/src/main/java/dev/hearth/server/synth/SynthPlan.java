package dev.hearth.server.synth;

import static dev.hearth.gguf.GgufKeys.block;

import dev.hearth.gguf.GgmlType;
import dev.hearth.gguf.GgufFile;
import dev.hearth.gguf.GgufKeys;
import dev.hearth.gguf.GgufValue;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a synthetic model file holds: metadata (keys as llama.cpp writes them, in its order) and the tensor list with
 * the fixtures' weight profile, so that logits are peaky and every part of the network matters:
 * token_embd and untied output N(0, 1); attn_q, attn_k N(0, 1.2/sqrt(dim)); attn_v, attn_output, ffn_gate, ffn_up
 * (and experts) N(0, 1/sqrt(dim)); ffn_down N(0, 1/sqrt(ffn)); router N(0, 1/sqrt(dim)); norms 1 + N(0, 0.1);
 * q/k/v biases N(0, 0.2).
 */
public record SynthPlan(Map<String, GgufValue> metadata, List<SynthTensor> tensors, int vocabSize) {

    public static SynthPlan of(SynthSpec spec) throws IOException {
        Map<String, GgufValue> tokenizer = new LinkedHashMap<>();
        int vocab = spec.vocabSize();
        if (spec.vocabFrom() != null) {
            try (GgufFile source = GgufFile.open(spec.vocabFrom())) {
                source.metadata().asMap().forEach((k, v) -> {
                    if (k.startsWith("tokenizer.")) {
                        tokenizer.put(k, v);
                    }
                });
                vocab = source.metadata().getStringArray(GgufKeys.TOKENIZER_TOKENS).length;
            }
        }
        return new SynthPlan(metadata(spec, vocab, tokenizer), tensors(spec, vocab), vocab);
    }

    private static Map<String, GgufValue> metadata(SynthSpec s, int vocab, Map<String, GgufValue> tokenizer) {
        String a = s.arch();
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put(GgufKeys.GENERAL_ARCHITECTURE, GgufValue.ofString(a));
        m.put("general.type", GgufValue.ofString("model"));
        m.put(GgufKeys.GENERAL_NAME, GgufValue.ofString(s.name()));
        m.put("general.description", GgufValue.ofString("Synthetic model: random weights (seed " + s.seed()
                + "), written by hearth synth"));
        m.put(GgufKeys.blockCount(a), GgufValue.ofUInt32(s.layers()));
        m.put(GgufKeys.contextLength(a), GgufValue.ofUInt32(s.contextLength()));
        m.put(GgufKeys.embeddingLength(a), GgufValue.ofUInt32(s.dim()));
        m.put(GgufKeys.feedForwardLength(a), GgufValue.ofUInt32(s.ffn()));
        m.put(GgufKeys.headCount(a), GgufValue.ofUInt32(s.heads()));
        m.put(GgufKeys.headCountKv(a), GgufValue.ofUInt32(s.kvHeads()));
        m.put(GgufKeys.ropeFreqBase(a), GgufValue.ofFloat32(s.ropeTheta()));
        m.put(GgufKeys.layerNormRmsEpsilon(a), GgufValue.ofFloat32(s.rmsEpsilon()));
        if (a.equals("llama")) {
            m.put(GgufKeys.vocabSize(a), GgufValue.ofUInt32(vocab));
            m.put(GgufKeys.ropeDimensionCount(a), GgufValue.ofUInt32(s.headDim()));
        }
        m.put(GgufKeys.keyLength(a), GgufValue.ofUInt32(s.headDim()));
        m.put(GgufKeys.valueLength(a), GgufValue.ofUInt32(s.headDim()));
        if (s.isMoe()) {
            m.put(GgufKeys.expertCount(a), GgufValue.ofUInt32(s.experts()));
            m.put(GgufKeys.expertUsedCount(a), GgufValue.ofUInt32(s.expertsUsed()));
        }
        m.putAll(tokenizer);
        m.put(GgufKeys.GENERAL_QUANTIZATION_VERSION, GgufValue.ofUInt32(2));
        m.put(GgufKeys.GENERAL_FILE_TYPE, GgufValue.ofUInt32(s.type().fileType()));
        return m;
    }

    private static List<SynthTensor> tensors(SynthSpec s, int vocab) {
        SynthFileType ft = s.type();
        int layers = s.layers();
        int dim = s.dim();
        int qDim = s.heads() * s.headDim();
        int kvDim = s.kvHeads() * s.headDim();
        float attn = (float) (1 / Math.sqrt(dim));
        float qk = 1.2f * attn;
        float down = (float) (1 / Math.sqrt(s.ffn()));
        List<SynthTensor> t = new ArrayList<>();
        GgmlType embdType = ft.typeFor(s.tied() ? "output" : "token_embd", 0, layers, dim);
        t.add(SynthTensor.gaussian(GgufKeys.TOKEN_EMBD, embdType, 0, 1, dim, vocab));
        if (s.ropeFreqs()) {
            t.add(SynthTensor.fixed(GgufKeys.ROPE_FREQS,
                    RopeFreqs.llama3(s.headDim(), s.ropeTheta(), 32, 1, 4, 8192)));
        }
        for (int l = 0; l < layers; l++) {
            t.add(norm(block(GgufKeys.ATTN_NORM, l), dim));
            t.add(matrix(ft, block(GgufKeys.ATTN_Q, l), "attn_q", l, layers, qk, dim, qDim));
            t.add(matrix(ft, block(GgufKeys.ATTN_K, l), "attn_k", l, layers, qk, dim, kvDim));
            t.add(matrix(ft, block(GgufKeys.ATTN_V, l), "attn_v", l, layers, attn, dim, kvDim));
            if (s.qkvBias()) {
                t.add(SynthTensor.gaussian(block(GgufKeys.ATTN_Q_BIAS, l), GgmlType.F32, 0, 0.2f, qDim));
                t.add(SynthTensor.gaussian(block(GgufKeys.ATTN_K_BIAS, l), GgmlType.F32, 0, 0.2f, kvDim));
                t.add(SynthTensor.gaussian(block(GgufKeys.ATTN_V_BIAS, l), GgmlType.F32, 0, 0.2f, kvDim));
            }
            if (s.qkNorm()) {
                t.add(norm(block(GgufKeys.ATTN_Q_NORM, l), s.headDim()));
                t.add(norm(block(GgufKeys.ATTN_K_NORM, l), s.headDim()));
            }
            t.add(matrix(ft, block(GgufKeys.ATTN_OUTPUT, l), "attn_output", l, layers, attn, qDim, dim));
            t.add(norm(block(GgufKeys.FFN_NORM, l), dim));
            if (s.isMoe()) {
                int e = s.experts();
                t.add(SynthTensor.gaussian(block(GgufKeys.FFN_GATE_INP, l), GgmlType.F32, 0, attn, dim, e));
                t.add(matrix(ft, block(GgufKeys.FFN_GATE_EXPS, l), "ffn_gate", l, layers, attn, dim, s.ffn(), e));
                t.add(matrix(ft, block(GgufKeys.FFN_UP_EXPS, l), "ffn_up", l, layers, attn, dim, s.ffn(), e));
                t.add(matrix(ft, block(GgufKeys.FFN_DOWN_EXPS, l), "ffn_down", l, layers, down, s.ffn(), dim, e));
            } else {
                t.add(matrix(ft, block(GgufKeys.FFN_GATE, l), "ffn_gate", l, layers, attn, dim, s.ffn()));
                t.add(matrix(ft, block(GgufKeys.FFN_UP, l), "ffn_up", l, layers, attn, dim, s.ffn()));
                t.add(matrix(ft, block(GgufKeys.FFN_DOWN, l), "ffn_down", l, layers, down, s.ffn(), dim));
            }
        }
        t.add(norm(GgufKeys.OUTPUT_NORM, dim));
        if (!s.tied()) {
            t.add(SynthTensor.gaussian(GgufKeys.OUTPUT, ft.typeFor("output", 0, layers, dim), 0, 1, dim, vocab));
        }
        return t;
    }

    private static SynthTensor norm(String name, int n) {
        return SynthTensor.gaussian(name, GgmlType.F32, 1, 0.1f, n);
    }

    private static SynthTensor matrix(SynthFileType ft, String name, String role, int layer, int layers, float std,
            long... shape) {
        return SynthTensor.gaussian(name, ft.typeFor(role, layer, layers, shape[0]), 0, std, shape);
    }
}
