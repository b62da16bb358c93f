package dev.hearth.server.convert;

import static dev.hearth.server.convert.TokenSlots.ADDED_SCORE;
import static dev.hearth.server.convert.TokenTypes.BYTE;
import static dev.hearth.server.convert.TokenTypes.CONTROL;
import static dev.hearth.server.convert.TokenTypes.NORMAL;
import static dev.hearth.server.convert.TokenTypes.UNKNOWN;
import static dev.hearth.server.convert.TokenTypes.UNUSED;
import static dev.hearth.server.convert.TokenTypes.USER_DEFINED;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.gguf.GgufKeys;
import dev.hearth.gguf.GgufValue;
import dev.hearth.gguf.GgufValue.GgufArray;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code tokenizer.*} GGUF keys of a SentencePiece vocabulary ({@code tokenizer.ggml.model} "llama", pre
 * "default": Llama 2, Mistral, Mixtral), as convert_hf_to_gguf writes them for the llama family.
 *
 * <p>From {@code tokenizer.model}: every piece with its score, type UNKNOWN/CONTROL/UNUSED/BYTE as the piece says, else
 * NORMAL (user-defined pieces too); ids up to config's vocab_size that the model lacks are {@code [PADn]}, UNUSED,
 * score -10000; then {@code added_tokens.json} (USER_DEFINED, score -1000) and tokenizer_config's
 * {@code added_tokens_decoder} (CONTROL when special or special-looking, else USER_DEFINED with {@code ▁} written as a
 * space; score -1000); added ids past vocab_size are ignored, as llama.cpp does. A model with more pieces than
 * vocab_size is an error (llama.cpp would cut it). From a {@code tokenizer.json} alone, see {@link SpmJsonVocab}. Special ids as for byte-level
 * models, then the model's trainer spec; add_bos defaults to true, as llama.cpp assumes for this tokenizer.
 * {@code tokenizer.ggml.add_space_prefix} is written only when it is false (llama.cpp's default for "llama" is
 * true): from the model's {@code normalizer_spec.add_dummy_prefix}, or tokenizer.json's Prepend/Metaspace.
 */
final class SpmTokenizerReader {
    private SpmTokenizerReader() {}

    static Map<String, GgufValue> fromModel(Path dir, int vocabSize) throws IOException {
        Path file = dir.resolve("tokenizer.model");
        SentencePieceModel spm = SentencePieceModel.read(file);
        if (spm.modelType() != SentencePieceModel.BPE && spm.modelType() != SentencePieceModel.UNIGRAM) {
            throw new IllegalArgumentException(file + ": trainer_spec.model_type " + spm.modelType()
                    + " is not supported (BPE 2 or UNIGRAM 1)");
        }
        if (spm.size() > vocabSize) {
            throw new IllegalArgumentException(file + ": " + spm.size() + " pieces, more than config.json's vocab_size "
                    + vocabSize);
        }
        TokenSlots v = new TokenSlots(vocabSize);
        for (int i = 0; i < spm.size(); i++) {
            int type = switch (spm.types()[i]) {
                case UNKNOWN, CONTROL, UNUSED, BYTE -> spm.types()[i];
                default -> NORMAL;
            };
            v.set(i, spm.pieces()[i], spm.scores()[i], type, file);
        }
        addedTokensJson(dir.resolve("added_tokens.json"), v);
        addedTokensDecoder(dir.resolve("tokenizer_config.json"), v);
        Map<String, Integer> fallback = new HashMap<>();
        putIfValid(fallback, "unk", spm.unkId(), vocabSize);
        putIfValid(fallback, "bos", spm.bosId(), vocabSize);
        putIfValid(fallback, "eos", spm.eosId(), vocabSize);
        putIfValid(fallback, "pad", spm.padId(), vocabSize);
        JsonNode tokenizerJson = HfJson.readOptional(dir.resolve("tokenizer.json"));
        return keys(v, spm.addDummyPrefix(), dir, tokenizerJson, fallback);
    }

    static Map<String, GgufValue> fromJson(Path dir, Path file, JsonNode tokenizer, int vocabSize)
            throws IOException {
        TokenSlots v = new TokenSlots(vocabSize);
        boolean addSpacePrefix = SpmJsonVocab.fill(tokenizer, file, v);
        return keys(v, addSpacePrefix, dir, tokenizer, Map.of());
    }

    private static Map<String, GgufValue> keys(TokenSlots v, boolean addSpacePrefix, Path dir, JsonNode tokenizer,
            Map<String, Integer> fallback) throws IOException {
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put(GgufKeys.TOKENIZER_MODEL, GgufValue.ofString("llama"));
        m.put(GgufKeys.TOKENIZER_PRE, GgufValue.ofString("default"));
        m.put(GgufKeys.TOKENIZER_TOKENS, GgufValue.ofArray(GgufArray.ofStrings(v.tokens)));
        m.put(GgufKeys.TOKENIZER_SCORES, GgufValue.ofArray(GgufArray.ofFloats(v.scores)));
        m.put(GgufKeys.TOKENIZER_TOKEN_TYPE, GgufValue.ofArray(GgufArray.ofInt32s(v.types)));
        SpecialTokens.put(m, dir, tokenizer, v.ids(), fallback, true);
        if (!addSpacePrefix) {
            m.put(GgufKeys.TOKENIZER_ADD_SPACE_PREFIX, GgufValue.ofBool(false));
        }
        return m;
    }

    private static void putIfValid(Map<String, Integer> ids, String type, int id, int vocabSize) {
        if (id >= 0 && id < vocabSize) {
            ids.put(type, id);
        }
    }

    /** {@code added_tokens.json}: {"text": id, ...}, USER_DEFINED; ids past vocab_size are ignored, as llama.cpp does. */
    private static void addedTokensJson(Path file, TokenSlots v) throws IOException {
        JsonNode added = HfJson.readOptional(file);
        if (added.isMissingNode()) {
            return;
        }
        if (!added.isObject()) {
            throw new IllegalArgumentException(file + ": expected an object of token text to id");
        }
        for (var e : added.properties()) {
            if (!e.getValue().canConvertToInt()) {
                throw new IllegalArgumentException(file + ": token '" + e.getKey() + "' has no integer id");
            }
            if (e.getValue().asInt() < v.tokens.length) {
                v.set(e.getValue().asInt(), e.getKey(), ADDED_SCORE, USER_DEFINED, file);
            }
        }
    }

    /** tokenizer_config.json's {@code added_tokens_decoder}: {"id": {"content": ..., "special": ...}, ...}. */
    private static void addedTokensDecoder(Path file, TokenSlots v) throws IOException {
        JsonNode decoder = HfJson.readOptional(file).path("added_tokens_decoder");
        for (var e : decoder.properties()) {
            int id;
            try {
                id = Integer.parseInt(e.getKey());
            } catch (NumberFormatException x) {
                throw new IllegalArgumentException(file + ": added_tokens_decoder key '" + e.getKey()
                        + "' is not a token id", x);
            }
            JsonNode content = e.getValue().get("content");
            if (content == null || !content.isTextual()) {
                throw new IllegalArgumentException(file + ": added_tokens_decoder." + id + ".content is missing");
            }
            String text = content.asText();
            if (id >= v.tokens.length) {
                continue; // as llama.cpp: past vocab_size, ignored
            }
            if (e.getValue().path("special").asBoolean(false) || TokenTypes.looksSpecial(text)) {
                v.set(id, text, ADDED_SCORE, CONTROL, file);
            } else {
                v.set(id, text.replace('\u2581', ' '), ADDED_SCORE, USER_DEFINED, file);
            }
        }
    }
}
