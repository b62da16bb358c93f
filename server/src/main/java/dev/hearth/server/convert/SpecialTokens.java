package dev.hearth.server.convert;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.gguf.GgufKeys;
import dev.hearth.gguf.GgufValue;
import dev.hearth.gguf.GgufValueType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Special token ids and flags, in gguf-py SpecialVocab's order of sources: {@code tokenizer_config.json}'s
 * {@code bos_token}/... (text or {content}), then {@code config.json}'s {@code bos_token_id}/... (an int or the first of
 * a list), then {@code generation_config.json}'s, then the caller's fallback (a SentencePiece model's trainer spec).
 * add_bos comes from tokenizer_config's {@code add_bos_token}, else from a post-processor template that starts with a
 * special token, else the tokenizer's default; add_eos only when tokenizer_config sets it. With them, the chat
 * template ({@code tokenizer_config.json}'s, else {@code chat_template.jinja}).
 */
final class SpecialTokens {
    private static final String[][] TYPES = {
        {"bos", GgufKeys.TOKENIZER_BOS_ID}, {"eos", GgufKeys.TOKENIZER_EOS_ID},
        {"unk", GgufKeys.TOKENIZER_UNK_ID}, {"pad", GgufKeys.TOKENIZER_PAD_ID}};

    private SpecialTokens() {}

    static void put(Map<String, GgufValue> m, Path dir, JsonNode tokenizer, Map<String, Integer> ids)
            throws IOException {
        put(m, dir, tokenizer, ids, Map.of(), false);
    }

    /**
     * @param fallback ids by type ("bos", "eos", "unk", "pad") for types no JSON file names (a SentencePiece model's
     *     trainer spec)
     * @param defaultAddBos add_bos when neither tokenizer_config nor a post-processor says
     */
    static void put(Map<String, GgufValue> m, Path dir, JsonNode tokenizer, Map<String, Integer> ids,
            Map<String, Integer> fallback, boolean defaultAddBos) throws IOException {
        JsonNode tc = HfJson.readOptional(dir.resolve("tokenizer_config.json"));
        JsonNode config = HfJson.readOptional(dir.resolve("config.json"));
        JsonNode generation = HfJson.readOptional(dir.resolve("generation_config.json"));
        for (String[] t : TYPES) {
            Integer id = null;
            JsonNode named = tc.get(t[0] + "_token");
            if (named != null && !named.isNull()) {
                String text = named.isTextual() ? named.asText() : named.path("content").asText(null);
                id = text == null ? null : ids.get(text);
            }
            if (id == null) {
                id = idField(config, t[0]);
            }
            if (id == null) {
                id = idField(generation, t[0]);
            }
            if (id == null) {
                id = fallback.get(t[0]);
            }
            if (id != null) {
                m.put(t[1], uint32(id));
            }
        }
        JsonNode addBos = tc.get("add_bos_token");
        Boolean fromTemplate = templateAddsBos(tokenizer);
        boolean bos = addBos != null && addBos.isBoolean() ? addBos.asBoolean()
                : fromTemplate != null ? fromTemplate : defaultAddBos;
        m.put(GgufKeys.TOKENIZER_ADD_BOS, GgufValue.ofBool(bos));
        JsonNode addEos = tc.get("add_eos_token");
        if (addEos != null && addEos.isBoolean()) {
            m.put(GgufKeys.TOKENIZER_ADD_EOS, GgufValue.ofBool(addEos.asBoolean()));
        }
        String template = chatTemplate(dir, tc);
        if (template != null) {
            m.put(GgufKeys.TOKENIZER_CHAT_TEMPLATE, GgufValue.ofString(template));
        }
    }

    private static Integer idField(JsonNode node, String type) {
        JsonNode v = node.get(type + "_token_id");
        if (v != null && v.isArray() && !v.isEmpty()) {
            v = v.get(0);
        }
        return v != null && v.canConvertToInt() ? v.asInt() : null;
    }

    /**
     * Whether a TemplateProcessing post-processor (alone or in a Sequence) has a single template that starts with a
     * token; null without one.
     */
    private static Boolean templateAddsBos(JsonNode tokenizer) {
        JsonNode pp = tokenizer.path("post_processor");
        Iterable<JsonNode> parts = pp.path("type").asText("").equals("Sequence") ? pp.path("processors")
                : java.util.List.of(pp);
        for (JsonNode p : parts) {
            if (p.path("type").asText("").equals("TemplateProcessing")) {
                JsonNode first = p.path("single").path(0);
                return first.has("SpecialToken");
            }
        }
        return null;
    }

    static GgufValue uint32(int v) {
        return new GgufValue(GgufValueType.UINT32, (long) v);
    }

    /** The chat template: tokenizer_config's (a string, or the "default" of a list), else chat_template.jinja. */
    private static String chatTemplate(Path dir, JsonNode config) throws IOException {
        JsonNode t = config.get("chat_template");
        if (t != null && t.isTextual()) {
            return t.asText();
        }
        if (t != null && t.isArray()) {
            for (JsonNode named : t) {
                if (named.path("name").asText("").equals("default")) {
                    return named.path("template").asText();
                }
            }
        }
        Path jinja = dir.resolve("chat_template.jinja");
        return Files.isRegularFile(jinja) ? Files.readString(jinja) : null;
    }
}
