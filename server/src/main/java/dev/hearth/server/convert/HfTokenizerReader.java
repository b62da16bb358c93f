package dev.hearth.server.convert;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.gguf.GgufKeys;
import dev.hearth.gguf.GgufValue;
import dev.hearth.gguf.GgufValue.GgufArray;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code tokenizer.*} GGUF keys of a model (SentencePiece vocabularies: {@link SpmTokenizerReader}); for a
 * byte-level BPE model, as convert_hf_to_gguf writes them: tokens and merges
 * from {@code tokenizer.json} (ids the vocabulary lacks up to config's vocab_size become {@code [PADn]}, UNUSED);
 * added tokens CONTROL when marked special or when they look special ({@code <|...|>}), else USER_DEFINED; the
 * pre-tokenizer named from its split regex; special token ids from {@code tokenizer_config.json}, then
 * {@code config.json}, then {@code generation_config.json}; add_bos from tokenizer_config or the post-processor
 * template; the chat template from tokenizer_config or {@code chat_template.jinja}.
 */
public final class HfTokenizerReader {
    /** Hugging Face split regexes of the pre-tokenizers Hearth and llama.cpp know, by tokenizer.ggml.pre name. */
    static final Map<String, String> PRE_REGEXES = Map.of(
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*"
                    + "|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+", "llama-bpe",
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*"
                    + "|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+", "qwen2");

    private HfTokenizerReader() {}

    /**
     * The tokenizer keys of the folder: a SentencePiece {@code tokenizer.model} when there is one, else
     * {@code tokenizer.json} (BPE with byte_fallback: SentencePiece-style; plain BPE: byte-level).
     */
    public static Map<String, GgufValue> read(Path dir, int vocabSize) throws IOException {
        if (Files.isRegularFile(dir.resolve("tokenizer.model"))) {
            return SpmTokenizerReader.fromModel(dir, vocabSize);
        }
        Path tokFile = dir.resolve("tokenizer.json");
        if (!Files.isRegularFile(tokFile)) {
            throw new java.nio.file.NoSuchFileException(tokFile.toString(), null,
                    "missing (a Hugging Face model folder needs tokenizer.json or a SentencePiece tokenizer.model)");
        }
        JsonNode tok = HfJson.read(tokFile);
        JsonNode model = tok.path("model");
        if (!model.path("type").asText("").equals("BPE")) {
            throw new IllegalArgumentException(tokFile + ": model.type '" + model.path("type").asText("")
                    + "' is not supported (BPE: byte-level, or SentencePiece-style with byte_fallback)");
        }
        if (model.path("byte_fallback").asBoolean(false)) {
            return SpmTokenizerReader.fromJson(dir, tokFile, tok, vocabSize);
        }
        String[] tokens = new String[vocabSize];
        int[] types = new int[vocabSize];
        Map<String, Integer> ids = new HashMap<>();
        model.path("vocab").fields().forEachRemaining(e -> put(tokens, types, ids, e.getValue().asInt(), e.getKey(),
                TokenTypes.NORMAL, tokFile));
        for (JsonNode a : tok.path("added_tokens")) {
            String content = a.path("content").asText();
            boolean special = a.path("special").asBoolean(false) || TokenTypes.looksSpecial(content);
            put(tokens, types, ids, a.path("id").asInt(-1), content,
                    special ? TokenTypes.CONTROL : TokenTypes.USER_DEFINED, tokFile);
        }
        for (int i = 0; i < vocabSize; i++) {
            if (tokens[i] == null) {
                tokens[i] = "[PAD" + i + "]";
                types[i] = TokenTypes.UNUSED;
            }
        }
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put(GgufKeys.TOKENIZER_MODEL, GgufValue.ofString("gpt2"));
        m.put(GgufKeys.TOKENIZER_PRE, GgufValue.ofString(pre(tok.path("pre_tokenizer"), tokFile)));
        m.put(GgufKeys.TOKENIZER_TOKENS, GgufValue.ofArray(GgufArray.ofStrings(tokens)));
        m.put(GgufKeys.TOKENIZER_TOKEN_TYPE, GgufValue.ofArray(GgufArray.ofInt32s(types)));
        m.put(GgufKeys.TOKENIZER_MERGES, GgufValue.ofArray(GgufArray.ofStrings(merges(model.path("merges")))));
        SpecialTokens.put(m, dir, tok, ids);
        return m;
    }

    private static void put(String[] tokens, int[] types, Map<String, Integer> ids, int id, String text, int type,
            Path file) {
        if (id < 0 || id >= tokens.length) {
            throw new IllegalArgumentException(file + ": token '" + text + "' has id " + id
                    + ", outside config.json's vocab_size " + tokens.length);
        }
        tokens[id] = text;
        types[id] = type;
        ids.put(text, id);
    }

    private static String[] merges(JsonNode merges) {
        String[] out = new String[merges.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode m = merges.get(i);
            out[i] = m.isArray() ? m.get(0).asText() + " " + m.get(1).asText() : m.asText();
        }
        return out;
    }

    private static String pre(JsonNode pre, Path file) {
        StringBuilder seen = new StringBuilder();
        for (JsonNode p : pre.path("type").asText("").equals("Sequence") ? pre.path("pretokenizers") : pre) {
            String regex = p.path("pattern").path("Regex").asText(null);
            if (p.path("type").asText("").equals("Split") && regex != null) {
                String name = PRE_REGEXES.get(regex);
                if (name != null) {
                    return name;
                }
                seen.append(regex);
            }
        }
        if (pre.path("type").asText("").equals("ByteLevel") && pre.path("use_regex").asBoolean(true)) {
            return "gpt-2";
        }
        throw new IllegalArgumentException(file + ": pre_tokenizer not recognised (known: Llama 3 'llama-bpe', "
                + "Qwen2 'qwen2', GPT-2 ByteLevel)" + (seen.isEmpty() ? "" : "; split regex: " + seen));
    }
}
