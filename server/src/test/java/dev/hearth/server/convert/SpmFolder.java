package dev.hearth.server.convert;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.gguf.GgufFile;
import dev.hearth.gguf.GgufKeys;
import dev.hearth.gguf.GgufMetadata;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Writes a SentencePiece fixture's vocabulary (mixtral-fx) back as Mistral/Mixtral ship it: a {@code tokenizer.model}
 * (ModelProto protobuf, written here byte by byte) and/or an SPM-style {@code tokenizer.json} (BPE with byte_fallback,
 * Prepend + Replace normalizer), with the merge list rebuilt from the scores (score = -rank of the first merge that
 * makes the token); plus tokenizer_config.json and, on request, config.json and the weights.
 */
final class SpmFolder {
    /** The vocabulary of a fixture GGUF. */
    record Vocab(String[] tokens, float[] scores, int[] types, int bos, int eos, int unk, String chatTemplate) {
        static Vocab of(GgufMetadata m) {
            return new Vocab(m.getStringArray(GgufKeys.TOKENIZER_TOKENS), m.getFloatArray(GgufKeys.TOKENIZER_SCORES),
                    m.getIntArray(GgufKeys.TOKENIZER_TOKEN_TYPE), (int) m.getLong(GgufKeys.TOKENIZER_BOS_ID),
                    (int) m.getLong(GgufKeys.TOKENIZER_EOS_ID), (int) m.getLong(GgufKeys.TOKENIZER_UNK_ID),
                    m.getString(GgufKeys.TOKENIZER_CHAT_TEMPLATE));
        }

        static Vocab of(Path gguf) throws Exception {
            try (GgufFile f = GgufFile.open(gguf)) {
                return of(f.metadata());
            }
        }
    }

    private SpmFolder() {}

    /** Mixtral's config.json with mixtral-fx's shapes (head_dim given, as newer configs do: the fixture has key_length). */
    static ObjectNode mixtralConfig() {
        ObjectNode c = HfFolder.config("MixtralForCausalLM", 2, 64, 4, 2, 128, 32768, 1e6, 1e-5, false);
        c.put("head_dim", 16);
        c.put("num_local_experts", 4);
        c.put("num_experts_per_tok", 2);
        c.put("vocab_size", 32000);
        c.put("bos_token_id", 1);
        c.put("eos_token_id", 2);
        return c;
    }

    /** tokenizer_config.json as Mixtral's: special tokens by text, add_bos on, add_eos off, the chat template. */
    static void writeTokenizerConfig(Path dir, Vocab v) throws Exception {
        ObjectNode tc = HfFolder.JSON.createObjectNode();
        tc.put("add_bos_token", true);
        tc.put("add_eos_token", false);
        tc.put("bos_token", v.tokens[v.bos]);
        tc.put("eos_token", v.tokens[v.eos]);
        tc.put("unk_token", v.tokens[v.unk]);
        tc.put("chat_template", v.chatTemplate);
        HfFolder.JSON.writeValue(dir.resolve("tokenizer_config.json").toFile(), tc);
    }

    // ---- tokenizer.model

    /** A ModelProto: pieces {piece 1, score 2, type 3}, trainer_spec 2, normalizer_spec 3, and fields to skip. */
    static byte[] modelProto(Vocab v, boolean addDummyPrefix) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < v.tokens.length; i++) {
            ByteArrayOutputStream piece = new ByteArrayOutputStream();
            bytesField(piece, 1, v.tokens[i].getBytes(StandardCharsets.UTF_8));
            key(piece, 2, 5);
            int bits = Float.floatToRawIntBits(v.scores[i]);
            for (int b = 0; b < 4; b++) {
                piece.write(bits >>> (8 * b));
            }
            if (v.types[i] != 1) { // NORMAL is the default: real files leave it out too
                key(piece, 3, 0);
                varint(piece, v.types[i]);
            }
            bytesField(out, 1, piece.toByteArray());
        }
        ByteArrayOutputStream trainer = new ByteArrayOutputStream();
        bytesField(trainer, 2, "tokenizer".getBytes(StandardCharsets.UTF_8)); // model_prefix: skipped
        key(trainer, 3, 0);
        varint(trainer, 2); // model_type BPE
        key(trainer, 4, 0);
        varint(trainer, v.tokens.length);
        key(trainer, 10, 5); // character_coverage (a float): skipped
        trainer.writeBytes(new byte[] {0, 0, (byte) 0x80, 0x3f});
        key(trainer, 35, 0);
        varint(trainer, 1); // byte_fallback
        int[][] ids = {{40, v.unk}, {41, v.bos}, {42, v.eos}, {43, -1}}; // pad_id -1: a ten-byte varint
        for (int[] f : ids) {
            key(trainer, f[0], 0);
            varint(trainer, f[1]);
        }
        bytesField(out, 2, trainer.toByteArray());
        ByteArrayOutputStream normalizer = new ByteArrayOutputStream();
        bytesField(normalizer, 1, "identity".getBytes(StandardCharsets.UTF_8));
        bytesField(normalizer, 2, new byte[0]);
        key(normalizer, 3, 0);
        varint(normalizer, addDummyPrefix ? 1 : 0);
        key(normalizer, 4, 0);
        varint(normalizer, 0);
        bytesField(out, 3, normalizer.toByteArray());
        return out.toByteArray();
    }

    private static void key(ByteArrayOutputStream out, int field, int wireType) {
        varint(out, (long) field << 3 | wireType);
    }

    private static void bytesField(ByteArrayOutputStream out, int field, byte[] bytes) {
        key(out, field, 2);
        varint(out, bytes.length);
        out.writeBytes(bytes);
    }

    private static void varint(ByteArrayOutputStream out, long value) {
        while ((value & ~0x7fL) != 0) {
            out.write((int) (value & 0x7f) | 0x80);
            value >>>= 7;
        }
        out.write((int) value);
    }

    // ---- tokenizer.json

    /**
     * Mixtral's tokenizer.json shape: model BPE with byte_fallback, vocab of every token, merges rebuilt from the
     * scores (a split of each ranked token into two vocabulary tokens of lower rank; gaps in the ranks hold copies of
     * merge 0, which make nothing new), {@code <unk>}, {@code <s>}, {@code </s>} as special added tokens, a
     * Prepend("▁") + Replace(" ", "▁") normalizer (or, with {@code metaspace}, a Metaspace pre-tokenizer with that
     * prepend scheme instead), a TemplateProcessing post-processor adding {@code <s>}.
     */
    static ObjectNode tokenizerJson(Vocab v, String metaspace) {
        Map<String, Integer> ids = new HashMap<>();
        Map<String, Integer> ranks = new HashMap<>();
        int maxRank = -1;
        for (int i = 0; i < v.tokens.length; i++) {
            ids.putIfAbsent(v.tokens[i], i);
            if (ranked(v.scores[i])) {
                ranks.put(v.tokens[i], (int) -v.scores[i]);
                maxRank = Math.max(maxRank, (int) -v.scores[i]);
            }
        }
        String[] merges = new String[maxRank + 1];
        for (var e : ranks.entrySet()) {
            merges[e.getValue()] = split(e.getKey(), e.getValue(), ids, ranks);
        }
        ObjectNode tok = HfFolder.JSON.createObjectNode();
        tok.put("version", "1.0");
        ArrayNode added = tok.putArray("added_tokens");
        for (int id : new int[] {v.unk, v.bos, v.eos}) {
            added.addObject().put("id", id).put("content", v.tokens[id]).put("single_word", false)
                    .put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true);
        }
        if (metaspace == null) {
            ObjectNode normalizer = tok.putObject("normalizer");
            normalizer.put("type", "Sequence");
            ArrayNode parts = normalizer.putArray("normalizers");
            parts.addObject().put("type", "Prepend").put("prepend", "\u2581");
            ObjectNode replace = parts.addObject().put("type", "Replace");
            replace.putObject("pattern").put("String", " ");
            replace.put("content", "\u2581");
            tok.putNull("pre_tokenizer");
        } else {
            tok.putNull("normalizer");
            tok.putObject("pre_tokenizer").put("type", "Metaspace").put("replacement", "\u2581")
                    .put("prepend_scheme", metaspace).put("split", false);
        }
        ObjectNode pp = tok.putObject("post_processor");
        pp.put("type", "TemplateProcessing");
        ArrayNode single = pp.putArray("single");
        single.addObject().putObject("SpecialToken").put("id", v.tokens[v.bos]).put("type_id", 0);
        single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        ObjectNode model = tok.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.put("unk_token", v.tokens[v.unk]);
        model.put("fuse_unk", true);
        model.put("byte_fallback", true);
        ObjectNode vocab = model.putObject("vocab");
        for (int i = 0; i < v.tokens.length; i++) {
            vocab.put(v.tokens[i], i);
        }
        ArrayNode m = model.putArray("merges");
        for (String s : merges) {
            m.add(s == null ? merges[0] : s);
        }
        return tok;
    }

    /** A rank is stored as -rank; rank 0 is -0.0, and +0.0 means no merge makes the token. */
    static boolean ranked(float score) {
        return score < 0 || Float.floatToRawIntBits(score) == Float.floatToRawIntBits(-0f);
    }

    private static String split(String token, int rank, Map<String, Integer> ids, Map<String, Integer> ranks) {
        for (int at = token.offsetByCodePoints(0, 1); at < token.length(); at = token.offsetByCodePoints(at, 1)) {
            String a = token.substring(0, at);
            String b = token.substring(at);
            if (ids.containsKey(a) && ids.containsKey(b) && ranks.getOrDefault(a, -1) < rank
                    && ranks.getOrDefault(b, -1) < rank) {
                return a + " " + b;
            }
        }
        throw new IllegalStateException("no split of '" + token + "' into tokens of lower rank than " + rank);
    }

    /** config.json and the mixtral-fx weights as safetensors. */
    static void writeWeights(Path fixture, Path dir, ObjectNode config) throws Exception {
        HfFolder.JSON.writeValue(dir.resolve("config.json").toFile(), config);
        try (GgufFile f = GgufFile.open(fixture)) {
            dev.hearth.safetensors.SafetensorsTestWriter.writeSharded(dir,
                    dev.hearth.quant.HfExport.entries(f, "F32", 4, 2, true), 2);
        }
    }

    static void writeModel(Path dir, Vocab v, boolean addDummyPrefix) throws Exception {
        Files.write(dir.resolve("tokenizer.model"), modelProto(v, addDummyPrefix));
    }

    static void writeJson(Path dir, ObjectNode tokenizer) throws Exception {
        HfFolder.JSON.writeValue(dir.resolve("tokenizer.json").toFile(), tokenizer);
    }
}
