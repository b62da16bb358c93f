package dev.hearth.server.convert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.gguf.GgufFile;
import dev.hearth.gguf.GgufKeys;
import dev.hearth.gguf.GgufMetadata;
import dev.hearth.quant.HfExport;
import dev.hearth.safetensors.SafetensorsTestWriter;
import java.nio.file.Path;

/**
 * Writes a fixture GGUF back out as a Hugging Face model folder: config.json, tokenizer.json (vocabulary, merges,
 * added tokens for every CONTROL/USER_DEFINED id, the family's pre-tokenizer and post-processor),
 * tokenizer_config.json (special tokens, chat template) and safetensors weights.
 */
final class HfFolder {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String LLAMA3_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    static final String QWEN2_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private HfFolder() {}

    /** @param config config.json without the vocabulary fields, which come from the fixture */
    static void write(Path fixture, Path dir, ObjectNode config, String dtype, int shards) throws Exception {
        try (GgufFile f = GgufFile.open(fixture)) {
            GgufMetadata m = f.metadata();
            String arch = m.getString(GgufKeys.GENERAL_ARCHITECTURE);
            int heads = (int) m.getLong(GgufKeys.headCount(arch));
            int kv = (int) m.getLong(GgufKeys.headCountKv(arch));
            String[] tokens = m.getStringArray(GgufKeys.TOKENIZER_TOKENS);
            int[] types = m.getIntArray(GgufKeys.TOKENIZER_TOKEN_TYPE);
            config.put("vocab_size", tokens.length);
            ObjectNode tok = JSON.createObjectNode();
            ArrayNode added = tok.putArray("added_tokens");
            ObjectNode model = JSON.createObjectNode();
            model.put("type", "BPE");
            model.put("byte_fallback", false);
            ObjectNode vocab = model.putObject("vocab");
            for (int i = 0; i < tokens.length; i++) {
                if (types[i] == TokenTypes.UNUSED) {
                    continue;
                }
                if (types[i] == TokenTypes.CONTROL || types[i] == TokenTypes.USER_DEFINED) {
                    ObjectNode a = added.addObject();
                    a.put("id", i);
                    a.put("content", tokens[i]);
                    // as in Qwen2.5's file, the FIM tokens are not marked special: the converter's look-special rule
                    // must still make them CONTROL
                    boolean fim = tokens[i].startsWith("<|fim_") || tokens[i].equals("<|repo_name|>")
                            || tokens[i].equals("<|file_sep|>");
                    a.put("special", types[i] == TokenTypes.CONTROL && !fim);
                    a.put("normalized", false);
                } else {
                    vocab.put(tokens[i], i);
                }
            }
            ArrayNode merges = model.putArray("merges");
            for (String s : m.getStringArray(GgufKeys.TOKENIZER_MERGES)) {
                merges.add(s);
            }
            boolean llama3 = m.getString(GgufKeys.TOKENIZER_PRE).equals("llama-bpe");
            ObjectNode pre = tok.putObject("pre_tokenizer");
            pre.put("type", "Sequence");
            ObjectNode split = pre.putArray("pretokenizers").addObject();
            split.put("type", "Split");
            split.putObject("pattern").put("Regex", llama3 ? LLAMA3_REGEX : QWEN2_REGEX);
            split.put("behavior", "Isolated");
            ((ArrayNode) pre.get("pretokenizers")).addObject().put("type", "ByteLevel").put("use_regex", false);
            if (llama3) {
                ObjectNode pp = tok.putObject("post_processor");
                pp.put("type", "Sequence");
                ObjectNode tp = pp.putArray("processors").addObject();
                tp.put("type", "TemplateProcessing");
                ArrayNode single = tp.putArray("single");
                single.addObject().putObject("SpecialToken").put("id", "<|begin_of_text|>");
                single.addObject().putObject("Sequence").put("id", "A");
            } else {
                tok.putObject("post_processor").put("type", "ByteLevel");
            }
            tok.set("model", model);
            JSON.writeValue(dir.resolve("tokenizer.json").toFile(), tok);
            ObjectNode tc = JSON.createObjectNode();
            int bos = (int) m.getLong(GgufKeys.TOKENIZER_BOS_ID);
            int eos = (int) m.getLong(GgufKeys.TOKENIZER_EOS_ID);
            if (llama3) {
                tc.put("bos_token", tokens[bos]);
            } else {
                tc.putNull("bos_token");
                config.put("bos_token_id", bos);
                tc.put("pad_token", tokens[(int) m.getLong(GgufKeys.TOKENIZER_PAD_ID)]);
            }
            tc.putObject("eos_token").put("content", tokens[eos]);
            tc.put("chat_template", m.getString(GgufKeys.TOKENIZER_CHAT_TEMPLATE));
            JSON.writeValue(dir.resolve("tokenizer_config.json").toFile(), tc);
            JSON.writeValue(dir.resolve("config.json").toFile(), config);
            var entries = HfExport.entries(f, dtype, heads, kv, arch.equals("llama"));
            if (shards > 1) {
                SafetensorsTestWriter.writeSharded(dir, entries, shards);
            } else {
                SafetensorsTestWriter.write(dir.resolve("model.safetensors"), entries);
            }
        }
    }

    static ObjectNode config(String hfArch, int layers, int dim, int heads, int kv, int ffn, int ctx, double theta,
            double eps, boolean tied) {
        ObjectNode c = JSON.createObjectNode();
        c.putArray("architectures").add(hfArch);
        c.put("num_hidden_layers", layers);
        c.put("hidden_size", dim);
        c.put("num_attention_heads", heads);
        c.put("num_key_value_heads", kv);
        c.put("intermediate_size", ffn);
        c.put("max_position_embeddings", ctx);
        c.put("rope_theta", theta);
        c.put("rms_norm_eps", eps);
        c.put("tie_word_embeddings", tied);
        return c;
    }
}
