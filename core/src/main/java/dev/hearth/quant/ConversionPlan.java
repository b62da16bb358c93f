package dev.hearth.quant;

import static dev.hearth.gguf.GgufKeys.block;

import dev.hearth.gguf.GgmlType;
import dev.hearth.gguf.GgufKeys;
import dev.hearth.safetensors.SafetensorsCheckpoint;
import dev.hearth.safetensors.SafetensorsException;
import dev.hearth.safetensors.SafetensorsTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which GGUF tensors a Hugging Face checkpoint becomes, with convert_hf_to_gguf's names and llama-quantize's types:
 * every expected source tensor is checked for presence and shape before anything is written, and a checkpoint tensor
 * that no output uses is an error (it would otherwise be silently dropped).
 */
public final class ConversionPlan {
    private final HfModelConfig config;
    private final QuantRecipe recipe;
    private final SafetensorsCheckpoint checkpoint;
    private final List<PlannedTensor> tensors = new ArrayList<>();
    private final Set<String> used = new HashSet<>();

    private ConversionPlan(HfModelConfig config, QuantRecipe recipe, SafetensorsCheckpoint checkpoint) {
        this.config = config;
        this.recipe = recipe;
        this.checkpoint = checkpoint;
    }

    /** The output tensors in llama.cpp's order (token_embd, rope_freqs, blocks, output_norm, output). */
    public static List<PlannedTensor> of(HfModelConfig config, QuantRecipe recipe, SafetensorsCheckpoint checkpoint) {
        return new ConversionPlan(config, recipe, checkpoint).build();
    }

    private List<PlannedTensor> build() {
        HfModelConfig c = config;
        int qDim = c.heads() * c.headDim();
        int kvDim = c.kvHeads() * c.headDim();
        int permuteQ = c.permutesQueryKey() ? c.heads() : 0;
        int permuteK = c.permutesQueryKey() ? c.kvHeads() : 0;
        matrix(GgufKeys.TOKEN_EMBD, c.tied() ? "output" : "token_embd", 0, 0, "model.embed_tokens.weight",
                c.dim(), c.vocabSize());
        if (c.ropeScaling() instanceof RopeScaling.Llama3 s) {
            float[] factors = RopeScaling.llama3Factors(c.headDim(), c.ropeTheta(), s);
            tensors.add(new PlannedTensor(GgufKeys.ROPE_FREQS, GgmlType.F32, new long[] {factors.length}, List.of(), 0,
                    factors));
        }
        for (int l = 0; l < c.layers(); l++) {
            String p = "model.layers." + l + ".";
            vector(block(GgufKeys.ATTN_NORM, l), p + "input_layernorm.weight", c.dim());
            matrix(block(GgufKeys.ATTN_Q, l), "attn_q", l, permuteQ, p + "self_attn.q_proj.weight", c.dim(), qDim);
            matrix(block(GgufKeys.ATTN_K, l), "attn_k", l, permuteK, p + "self_attn.k_proj.weight", c.dim(), kvDim);
            matrix(block(GgufKeys.ATTN_V, l), "attn_v", l, 0, p + "self_attn.v_proj.weight", c.dim(), kvDim);
            if (c.arch().equals("qwen2")) {
                vector(block(GgufKeys.ATTN_Q_BIAS, l), p + "self_attn.q_proj.bias", qDim);
                vector(block(GgufKeys.ATTN_K_BIAS, l), p + "self_attn.k_proj.bias", kvDim);
                vector(block(GgufKeys.ATTN_V_BIAS, l), p + "self_attn.v_proj.bias", kvDim);
            }
            if (c.arch().equals("qwen3")) {
                vector(block(GgufKeys.ATTN_Q_NORM, l), p + "self_attn.q_norm.weight", c.headDim());
                vector(block(GgufKeys.ATTN_K_NORM, l), p + "self_attn.k_norm.weight", c.headDim());
            }
            matrix(block(GgufKeys.ATTN_OUTPUT, l), "attn_output", l, 0, p + "self_attn.o_proj.weight", qDim, c.dim());
            vector(block(GgufKeys.FFN_NORM, l), p + "post_attention_layernorm.weight", c.dim());
            if (c.isMoe()) {
                String m = p + "block_sparse_moe.";
                check(m + "gate.weight", c.experts(), c.dim());
                tensors.add(new PlannedTensor(block(GgufKeys.FFN_GATE_INP, l), GgmlType.F32,
                        new long[] {c.dim(), c.experts()}, List.of(m + "gate.weight"), 0, null));
                experts(block(GgufKeys.FFN_GATE_EXPS, l), "ffn_gate", l, m, "w1", c.dim(), c.ffn());
                experts(block(GgufKeys.FFN_DOWN_EXPS, l), "ffn_down", l, m, "w2", c.ffn(), c.dim());
                experts(block(GgufKeys.FFN_UP_EXPS, l), "ffn_up", l, m, "w3", c.dim(), c.ffn());
            } else {
                matrix(block(GgufKeys.FFN_GATE, l), "ffn_gate", l, 0, p + "mlp.gate_proj.weight", c.dim(), c.ffn());
                matrix(block(GgufKeys.FFN_UP, l), "ffn_up", l, 0, p + "mlp.up_proj.weight", c.dim(), c.ffn());
                matrix(block(GgufKeys.FFN_DOWN, l), "ffn_down", l, 0, p + "mlp.down_proj.weight", c.ffn(), c.dim());
            }
        }
        vector(GgufKeys.OUTPUT_NORM, "model.norm.weight", c.dim());
        if (!c.tied()) {
            matrix(GgufKeys.OUTPUT, "output", 0, 0, "lm_head.weight", c.dim(), c.vocabSize());
        } else {
            used.add("lm_head.weight"); // a tied checkpoint may still carry a copy
        }
        for (String name : checkpoint.tensors().keySet()) {
            if (!used.contains(name) && !name.endsWith(".rotary_emb.inv_freq")) {
                throw new SafetensorsException("tensor '" + name + "' (" + checkpoint.tensor(name).file()
                        + ") is not used by the " + c.hfArchitecture() + " converter");
            }
        }
        return tensors;
    }

    private void vector(String name, String source, int n) {
        check(source, n);
        tensors.add(new PlannedTensor(name, GgmlType.F32, new long[] {n}, List.of(source), 0, null));
    }

    /** A weight matrix: HF shape [rows, cols], GGML shape [cols, rows]. */
    private void matrix(String name, String role, int layer, int permuteHeads, String source, int cols, int rows) {
        check(source, rows, cols);
        GgmlType type = recipe.typeFor(role, layer, config.layers(), cols, config.experts(), false);
        tensors.add(new PlannedTensor(name, type, new long[] {cols, rows}, List.of(source), permuteHeads, null));
    }

    /** Mixtral experts {@code block_sparse_moe.experts.E.wN.weight}, stacked into one [cols, rows, experts] tensor. */
    private void experts(String name, String role, int layer, String prefix, String w, int cols, int rows) {
        List<String> sources = new ArrayList<>();
        for (int e = 0; e < config.experts(); e++) {
            String s = prefix + "experts." + e + "." + w + ".weight";
            check(s, rows, cols);
            sources.add(s);
        }
        GgmlType type = recipe.typeFor(role, layer, config.layers(), cols, config.experts(), false);
        tensors.add(new PlannedTensor(name, type, new long[] {cols, rows, config.experts()}, sources, 0, null));
    }

    private void check(String source, long... expected) {
        SafetensorsTensor t = checkpoint.tensor(source);
        if (!Arrays.equals(t.shape(), expected)) {
            throw new SafetensorsException("tensor '" + source + "' (" + t.file() + ") has shape " + t.shapeString()
                    + ", expected " + Arrays.toString(expected) + " from config.json");
        }
        used.add(source);
    }
}
