package dev.hearth.quant;

import dev.hearth.gguf.GgufFile;
import dev.hearth.gguf.GgufTensorInfo;
import dev.hearth.kernel.ScalarKernels;
import dev.hearth.safetensors.SafetensorsTestWriter.Entry;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a GGUF model's weights back as a Hugging Face checkpoint would hold them (the inverse of the converter,
 * written independently here): HF names, [out, in] row-major matrices, per-expert Mixtral tensors, and for
 * {@code llama} the q/k rows put back in rotary-halves order. rope_freqs is dropped (config.json carries it).
 */
public final class HfExport {
    private HfExport() {}

    public static List<Entry> entries(GgufFile f, String dtype, int heads, int kvHeads, boolean permute) {
        List<Entry> out = new ArrayList<>();
        for (GgufTensorInfo t : f.tensors()) {
            String n = t.name();
            if (n.equals("rope_freqs.weight")) {
                continue;
            }
            float[] v = dequantize(f, t);
            if (n.endsWith("_exps.weight")) {
                int layer = Integer.parseInt(n.split("\\.")[1]);
                String w = n.contains("gate_exps") ? "w1" : n.contains("down_exps") ? "w2" : "w3";
                int per = Math.toIntExact(t.dim(0) * t.dim(1));
                for (int e = 0; e < t.dim(2); e++) {
                    float[] part = java.util.Arrays.copyOfRange(v, e * per, (e + 1) * per);
                    out.add(new Entry("model.layers." + layer + ".block_sparse_moe.experts." + e + "." + w + ".weight",
                            dtype, new long[] {t.dim(1), t.dim(0)}, part));
                }
                continue;
            }
            if (permute && (n.endsWith("attn_q.weight") || n.endsWith("attn_k.weight"))) {
                v = toHalves(v, Math.toIntExact(t.dim(0)), n.endsWith("attn_q.weight") ? heads : kvHeads);
            }
            long[] shape = t.shape().length == 1 ? new long[] {t.dim(0)} : new long[] {t.dim(1), t.dim(0)};
            // 1-D tensors stay F32 so that F32 fixture norms survive a half-precision export bit for bit
            out.add(new Entry(hfName(n), shape.length == 1 ? "F32" : dtype, shape, v));
        }
        return out;
    }

    /** GGUF row (h, 2i + half) holds HF row (h, half * d/2 + i). */
    static float[] toHalves(float[] gguf, int cols, int heads) {
        int rows = gguf.length / cols;
        int d = rows / heads;
        float[] hf = new float[gguf.length];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < d / 2; i++) {
                for (int half = 0; half < 2; half++) {
                    System.arraycopy(gguf, (h * d + 2 * i + half) * cols, hf, (h * d + half * d / 2 + i) * cols, cols);
                }
            }
        }
        return hf;
    }

    public static float[] dequantize(GgufFile f, GgufTensorInfo t) {
        float[] v = new float[Math.toIntExact(t.elementCount())];
        ScalarKernels.dequantize(t.type(), f.tensorData(t), 0, v, 0, v.length);
        return v;
    }

    static String hfName(String gguf) {
        switch (gguf) {
            case "token_embd.weight": return "model.embed_tokens.weight";
            case "output_norm.weight": return "model.norm.weight";
            case "output.weight": return "lm_head.weight";
            default: break;
        }
        String[] p = gguf.split("\\.", 3);
        String layer = "model.layers." + p[1] + ".";
        return layer + switch (p[2]) {
            case "attn_norm.weight" -> "input_layernorm.weight";
            case "ffn_norm.weight" -> "post_attention_layernorm.weight";
            case "attn_q.weight" -> "self_attn.q_proj.weight";
            case "attn_k.weight" -> "self_attn.k_proj.weight";
            case "attn_v.weight" -> "self_attn.v_proj.weight";
            case "attn_q.bias" -> "self_attn.q_proj.bias";
            case "attn_k.bias" -> "self_attn.k_proj.bias";
            case "attn_v.bias" -> "self_attn.v_proj.bias";
            case "attn_q_norm.weight" -> "self_attn.q_norm.weight";
            case "attn_k_norm.weight" -> "self_attn.k_norm.weight";
            case "attn_output.weight" -> "self_attn.o_proj.weight";
            case "ffn_gate.weight" -> "mlp.gate_proj.weight";
            case "ffn_up.weight" -> "mlp.up_proj.weight";
            case "ffn_down.weight" -> "mlp.down_proj.weight";
            case "ffn_gate_inp.weight" -> "block_sparse_moe.gate.weight";
            default -> throw new IllegalArgumentException("no HF name for " + gguf);
        };
    }
}
