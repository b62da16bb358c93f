package dev.hearth.server.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.gguf.GgufFile;
import dev.hearth.gguf.GgufKeys;
import dev.hearth.gguf.GgufValue;
import dev.hearth.server.convert.QuantizeCommandTest.Run;
import dev.hearth.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * hearth quantize on SentencePiece checkpoints (Mistral/Mixtral): mixtral-fx's vocabulary written back as a
 * {@code tokenizer.model} protobuf and as an SPM-style {@code tokenizer.json}; the converted files' tokenizer keys equal
 * the fixture's (tokens, scores, types, special ids, flags, chat template) and Hearth's tokenizer on them reproduces
 * llama.cpp's reference ids; the tokenizer.model Mixtral folder converts to the fixture's F32 file, tensor for tensor.
 */
class SpmQuantizeTest {
    static final String FIXTURE = "mixtral-fx-F32.gguf";
    static SpmFolder.Vocab vocab;

    @TempDir
    Path dir;

    @BeforeAll
    static void readVocab() throws Exception {
        vocab = SpmFolder.Vocab.of(Fixtures.model(FIXTURE));
    }

    Path folder(String name) throws Exception {
        Path hf = Files.createDirectories(dir.resolve(name));
        SpmFolder.writeTokenizerConfig(hf, vocab);
        return hf;
    }

    static Map<String, GgufValue> read(Path hf) throws Exception {
        return HfTokenizerReader.read(hf, 32000);
    }

    @Test
    void mixtralWithTokenizerModelConvertsToTheFixture() throws Exception {
        Path hf = folder("mixtral-spm");
        SpmFolder.writeModel(hf, vocab, true);
        // a tokenizer.json beside it that disagrees on one token: tokenizer.model is preferred
        ObjectNode json = SpmFolder.tokenizerJson(vocab, null);
        ObjectNode v = (ObjectNode) json.get("model").get("vocab");
        v.remove("\u2581Hello");
        v.put("\u2581HelloX", 22557);
        SpmFolder.writeJson(hf, json);
        SpmFolder.writeWeights(Fixtures.model(FIXTURE), hf, SpmFolder.mixtralConfig());
        Path out = dir.resolve("mixtral.gguf");
        Run r = QuantizeCommandTest.run("quantize", hf.toString(), out.toString(), "--type", "F32", "--threads", "2");
        assertThat(r.code()).as(r.err()).isZero();
        try (GgufFile fixture = GgufFile.open(Fixtures.model(FIXTURE)); GgufFile f = GgufFile.open(out)) {
            QuantizeCommandTest.assertTokenizerKeysEqual(fixture, f);
            for (String k : fixture.metadata().keys()) {
                if (!k.equals("general.name") && !k.equals("general.description")) {
                    assertThat(f.metadata().get(k)).as(k).isEqualTo(fixture.metadata().get(k));
                }
            }
            QuantizeCommandTest.assertTensorsEqual(fixture, f);
            QuantizeCommandTest.assertTokenizesLikeLlamaCpp(f, "mixtral-fx");
        }
    }

    @Test
    void tokenizerJsonAloneGivesTheFixturesVocabulary() throws Exception {
        Path hf = folder("mixtral-json");
        SpmFolder.writeJson(hf, SpmFolder.tokenizerJson(vocab, null));
        SpmFolder.writeWeights(Fixtures.model(FIXTURE), hf, SpmFolder.mixtralConfig());
        Path out = dir.resolve("mixtral-json.gguf");
        Run r = QuantizeCommandTest.run("quantize", hf.toString(), out.toString(), "--type", "Q8_0");
        assertThat(r.code()).as(r.err()).isZero();
        try (GgufFile fixture = GgufFile.open(Fixtures.model(FIXTURE)); GgufFile f = GgufFile.open(out)) {
            assertTokenizerKeysEqual(fixture, f);
            assertThat(f.tensor("blk.0.ffn_gate_exps.weight").type()).isEqualTo(dev.hearth.gguf.GgmlType.Q8_0);
            QuantizeCommandTest.assertTokenizesLikeLlamaCpp(f, "mixtral-fx");
        }
    }

    /** The same tokenizer.* keys with equal values (the other keys of a quantized file differ from the F32 one). */
    static void assertTokenizerKeysEqual(GgufFile expected, GgufFile actual) {
        var keys = expected.metadata().keys().stream().filter(k -> k.startsWith("tokenizer.")).toList();
        assertThat(actual.metadata().keys().stream().filter(k -> k.startsWith("tokenizer.")))
                .containsExactlyInAnyOrderElementsOf(keys);
        for (String k : keys) {
            assertThat(actual.metadata().get(k)).as(k).isEqualTo(expected.metadata().get(k));
        }
    }

    @Test
    void metaspacePreTokenizerAndItsPrependScheme() throws Exception {
        Path hf = folder("metaspace");
        SpmFolder.writeJson(hf, SpmFolder.tokenizerJson(vocab, "first"));
        Map<String, GgufValue> m = read(hf);
        assertThat(m).doesNotContainKey(GgufKeys.TOKENIZER_ADD_SPACE_PREFIX); // llama.cpp's default: true
        assertThat(m.get(GgufKeys.TOKENIZER_SCORES).value()).isEqualTo(
                GgufValue.GgufArray.ofFloats(vocab.scores()));
        SpmFolder.writeJson(hf, SpmFolder.tokenizerJson(vocab, "never"));
        assertThat(read(hf).get(GgufKeys.TOKENIZER_ADD_SPACE_PREFIX)).isEqualTo(GgufValue.ofBool(false));
    }

    @Test
    void addDummyPrefixOffIsWritten() throws Exception {
        Path hf = folder("no-prefix");
        SpmFolder.writeModel(hf, vocab, false);
        assertThat(read(hf).get(GgufKeys.TOKENIZER_ADD_SPACE_PREFIX)).isEqualTo(GgufValue.ofBool(false));
    }

    @Test
    void addedTokensPaddingAndTrainerSpecIds() throws Exception {
        Path hf = Files.createDirectories(dir.resolve("added"));
        SpmFolder.writeModel(hf, vocab, true);
        HfFolder.JSON.writeValue(hf.resolve("added_tokens.json").toFile(), Map.of("<extra_0>", 32000));
        ObjectNode tc = HfFolder.JSON.createObjectNode();
        ObjectNode decoder = tc.putObject("added_tokens_decoder");
        decoder.putObject("0").put("content", "<unk>").put("special", true);
        decoder.putObject("32001").put("content", "[TOOL_CALLS]").put("special", true);
        decoder.putObject("32002").put("content", "\u2581tool\u2581call").put("special", false);
        decoder.putObject("32003").put("content", "<|im_start|>").put("special", false);
        decoder.putObject("40000").put("content", "[OUT_OF_RANGE]").put("special", true);
        HfFolder.JSON.writeValue(hf.resolve("tokenizer_config.json").toFile(), tc);
        // no JSON names a special token: the ids come from the model's trainer spec; add_bos defaults to on
        Map<String, GgufValue> m = HfTokenizerReader.read(hf, 32005);
        String[] tokens = (String[]) ((GgufValue.GgufArray) m.get(GgufKeys.TOKENIZER_TOKENS).value()).values();
        float[] scores = (float[]) ((GgufValue.GgufArray) m.get(GgufKeys.TOKENIZER_SCORES).value()).values();
        int[] types = (int[]) ((GgufValue.GgufArray) m.get(GgufKeys.TOKENIZER_TOKEN_TYPE).value()).values();
        assertThat(Arrays.copyOfRange(tokens, 32000, 32005)).containsExactly("<extra_0>", "[TOOL_CALLS]",
                " tool call", "<|im_start|>", "[PAD32004]");
        assertThat(Arrays.copyOfRange(types, 32000, 32005)).containsExactly(4, 3, 4, 3, 5);
        assertThat(Arrays.copyOfRange(scores, 32000, 32005)).containsExactly(-1000f, -1000f, -1000f, -1000f,
                -10000f);
        // as llama.cpp: an added_tokens_decoder entry marks <unk> CONTROL with score -1000
        assertThat(types[0]).isEqualTo(3);
        assertThat(scores[0]).isEqualTo(-1000f);
        assertThat(Arrays.copyOfRange(types, 1, 4)).containsExactly(3, 3, 6);
        assertThat(m.get(GgufKeys.TOKENIZER_UNK_ID)).isEqualTo(SpecialTokens.uint32(0));
        assertThat(m.get(GgufKeys.TOKENIZER_BOS_ID)).isEqualTo(SpecialTokens.uint32(1));
        assertThat(m.get(GgufKeys.TOKENIZER_EOS_ID)).isEqualTo(SpecialTokens.uint32(2));
        assertThat(m).doesNotContainKey(GgufKeys.TOKENIZER_PAD_ID);
        assertThat(m.get(GgufKeys.TOKENIZER_ADD_BOS)).isEqualTo(GgufValue.ofBool(true));
    }

    // ---- bad input: a clear error naming the file, and no output at all

    void assertFailsCleanly(Path hf, String... expected) throws Exception {
        HfFolder.JSON.writeValue(hf.resolve("config.json").toFile(), SpmFolder.mixtralConfig());
        Path out = dir.resolve("out").resolve("bad.gguf");
        Files.createDirectories(out.getParent());
        Run r = QuantizeCommandTest.run("quantize", hf.toString(), out.toString(), "--type", "Q8_0");
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).contains(expected);
        try (Stream<Path> s = Files.list(out.getParent())) {
            assertThat(s.toList()).as("left in the output folder").isEmpty();
        }
    }

    @Test
    void truncatedTokenizerModel() throws Exception {
        Path hf = folder("truncated");
        byte[] proto = SpmFolder.modelProto(vocab, true);
        Files.write(hf.resolve("tokenizer.model"), Arrays.copyOf(proto, proto.length - 5));
        assertFailsCleanly(hf, "tokenizer.model", "not a SentencePiece model", "byte offset");
    }

    @Test
    void tiktokenTextAsTokenizerModel() throws Exception {
        Path hf = folder("tiktoken");
        Files.writeString(hf.resolve("tokenizer.model"), "IQ== 0\nIg== 1\nIw== 2\n");
        assertFailsCleanly(hf, "tokenizer.model", "not a SentencePiece model");
    }

    @Test
    void moreTokensThanTheConfigsVocabSize() throws Exception {
        Path hf = folder("too-many");
        SpmFolder.writeModel(hf, vocab, true);
        assertThatThrownBy(() -> HfTokenizerReader.read(hf, 31999)).hasMessageContaining("tokenizer.model")
                .hasMessageContaining("32000 pieces, more than config.json's vocab_size 31999");
    }

    @Test
    void byteFallbackBpeWithoutMetaspace() throws Exception {
        Path hf = folder("no-metaspace");
        ObjectNode json = SpmFolder.tokenizerJson(vocab, null);
        json.putNull("normalizer");
        SpmFolder.writeJson(hf, json);
        assertFailsCleanly(hf, "tokenizer.json", "no Metaspace");
    }

    @Test
    void badMergeInTokenizerJson() throws Exception {
        Path hf = folder("bad-merge");
        ObjectNode json = SpmFolder.tokenizerJson(vocab, null);
        ((com.fasterxml.jackson.databind.node.ArrayNode) json.get("model").get("merges")).set(7, "abc");
        SpmFolder.writeJson(hf, json);
        assertFailsCleanly(hf, "tokenizer.json", "model.merges[7]", "not a pair");
    }

    @Test
    void neitherTokenizerFile() throws Exception {
        Path hf = folder("none");
        assertFailsCleanly(hf, "tokenizer.json", "missing", "tokenizer.model");
    }
}
