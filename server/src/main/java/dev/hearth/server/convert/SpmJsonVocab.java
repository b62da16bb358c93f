package dev.hearth.server.convert;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A SentencePiece vocabulary from a {@code tokenizer.json} alone: a BPE model with {@code byte_fallback} whose spaces
 * become {@code ▁} (a Replace normalizer or a Metaspace pre-tokenizer), as Mistral and Mixtral ship it.
 *
 * <p>Scores come from the merge list: a token's score is minus the rank of the first merge that produces it, 0 for a
 * token no merge produces (single characters, bytes, {@code <unk>}, {@code <s>}, {@code </s>}). llama.cpp's SPM
 * tokenizer merges the adjacent pair whose concatenation has the highest score, so these scores reproduce the merge
 * order of the Hugging Face tokenizer. (convert_hf_to_gguf's LlamaHfVocab writes -1000 for every token instead, which
 * makes llama.cpp merge left to right and tokenize differently from Hugging Face.)
 *
 * <p>Types: the model's {@code unk_token} UNKNOWN, {@code <0xNN>} BYTE, added tokens CONTROL when marked special or
 * special-looking, else USER_DEFINED (score -1000 when the model's vocab lacks them), the rest NORMAL.
 */
final class SpmJsonVocab {
    private SpmJsonVocab() {}

    /** Fills {@code v} and returns whether a space is prepended to the text (add_space_prefix). */
    static boolean fill(JsonNode tok, Path file, TokenSlots v) {
        JsonNode model = tok.path("model");
        for (JsonNode p : parts(tok.path("pre_tokenizer"), "pretokenizers")) {
            if (p.path("type").asText("").equals("ByteLevel")) {
                throw new IllegalArgumentException(file + ": BPE with byte_fallback and a ByteLevel pre_tokenizer "
                        + "is neither byte-level BPE nor SentencePiece; not supported");
            }
        }
        boolean addSpacePrefix = addSpacePrefix(tok, file);
        Map<String, Integer> ranks = firstRanks(model.path("merges"), file);
        String unk = model.path("unk_token").asText(null);
        JsonNode vocab = model.path("vocab");
        if (!vocab.isObject() || vocab.isEmpty()) {
            throw new IllegalArgumentException(file + ": model.vocab is missing or empty");
        }
        for (var e : vocab.properties()) {
            String text = e.getKey();
            if (!e.getValue().canConvertToInt()) {
                throw new IllegalArgumentException(file + ": model.vocab['" + text + "'] is not an integer id");
            }
            Integer rank = ranks.get(text);
            int type = text.equals(unk) ? TokenTypes.UNKNOWN
                    : isByte(text) ? TokenTypes.BYTE : TokenTypes.NORMAL;
            v.set(e.getValue().asInt(), text, rank == null ? 0f : -(float) rank, type, file);
        }
        for (JsonNode a : tok.path("added_tokens")) {
            String content = a.path("content").asText();
            int id = a.path("id").asInt(-1);
            if (id >= 0 && id < v.tokens.length && v.types[id] == TokenTypes.UNKNOWN
                    && content.equals(v.tokens[id])) {
                continue; // <unk> is listed as added and special; it stays UNKNOWN
            }
            boolean inVocab = vocab.has(content) && vocab.get(content).asInt() == id;
            boolean special = a.path("special").asBoolean(false) || TokenTypes.looksSpecial(content);
            v.set(id, content, inVocab ? v.scores[id] : TokenSlots.ADDED_SCORE,
                    special ? TokenTypes.CONTROL : TokenTypes.USER_DEFINED, file);
        }
        return addSpacePrefix;
    }

    /** {@code <0x00>} .. {@code <0xFF>}. */
    static boolean isByte(String t) {
        return t.length() == 6 && t.startsWith("<0x") && t.endsWith(">") && hex(t.charAt(3)) && hex(t.charAt(4));
    }

    private static boolean hex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
    }

    /** Concatenation to the rank of the first merge that makes it; merges as "a b" or ["a", "b"]. */
    private static Map<String, Integer> firstRanks(JsonNode merges, Path file) {
        if (!merges.isArray()) {
            throw new IllegalArgumentException(file + ": model.merges is missing");
        }
        Map<String, Integer> ranks = new HashMap<>(merges.size() * 2);
        for (int i = 0; i < merges.size(); i++) {
            JsonNode m = merges.get(i);
            String joined;
            if (m.isArray() && m.size() == 2) {
                joined = m.get(0).asText() + m.get(1).asText();
            } else {
                String s = m.asText("");
                int space = s.indexOf(' ');
                if (!m.isTextual() || space <= 0 || space == s.length() - 1 || s.indexOf(' ', space + 1) >= 0) {
                    throw new IllegalArgumentException(file + ": model.merges[" + i + "] = " + m
                            + " is not a pair (\"a b\" or [\"a\", \"b\"])");
                }
                joined = s.substring(0, space) + s.substring(space + 1);
            }
            ranks.putIfAbsent(joined, i);
        }
        return ranks;
    }

    /**
     * True when a Prepend("▁") normalizer or a Metaspace pre-tokenizer that prepends ({@code prepend_scheme} "first" or
     * "always", or the older {@code add_prefix_space}) is present; an error when nothing turns spaces into {@code ▁}.
     */
    private static boolean addSpacePrefix(JsonNode tok, Path file) {
        boolean escapesSpaces = false;
        boolean prepends = false;
        for (JsonNode n : parts(tok.path("normalizer"), "normalizers")) {
            switch (n.path("type").asText("")) {
                case "Prepend" -> prepends |= n.path("prepend").asText("").equals("\u2581");
                case "Replace" -> escapesSpaces |= n.path("pattern").path("String").asText("").equals(" ")
                        && n.path("content").asText("").equals("\u2581");
                default -> { }
            }
        }
        for (JsonNode p : parts(tok.path("pre_tokenizer"), "pretokenizers")) {
            if (p.path("type").asText("").equals("Metaspace")) {
                escapesSpaces = true;
                prepends |= p.has("prepend_scheme") ? !p.path("prepend_scheme").asText("").equals("never")
                        : p.path("add_prefix_space").asBoolean(true);
            }
        }
        if (!escapesSpaces) {
            throw new IllegalArgumentException(file + ": BPE with byte_fallback but no Metaspace pre_tokenizer and no "
                    + "Replace(' ' -> '\u2581') normalizer: not a SentencePiece-style tokenizer");
        }
        return prepends;
    }

    /** The members of a Sequence (under {@code field}), or the node itself. */
    private static Iterable<JsonNode> parts(JsonNode node, String field) {
        if (node.isMissingNode() || node.isNull()) {
            return List.of();
        }
        return node.path("type").asText("").equals("Sequence") ? node.path(field) : List.of(node);
    }
}
