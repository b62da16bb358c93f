package dev.hearth.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The optimised tokenizers against the textbook {@link ReferenceTokenizer} on random mixed text. */
class TokenizerOracleTest {
    private static final String[] PARTS = {
        "the", "The", " quick", " brown", "fox", "lighthouse", "keeper's", " don't", "I'LL", "'ve", " ", "  ", "   ",
        "\n", "\n\n", "\r\n", "\t", " \n ", ",", ".", "!?", "...", "--", "()", "{}", "=>", "::", "0x7F", "123",
        "4567", "3.14159", "-42", "1e9", "١٢٣", "Ⅻ", "日本語", "中文字符", "こんにちは", "カタカナ", "한국어", "Привет",
        "مرحبا", "naïve", "café", "e\u0301", "ß", "İ", "🚀", "🦙", "👩🏽‍💻", "❤️", "🇯🇵", "𝔘𝔫𝔦", "\uD800", "\uDC00x",
        "\u00A0", "\u3000", "\u2581", "▁▁", "<s>", "</s>", "<|endoftext|>", "<|im_start|>", "<|begin_of_text|>",
        "<|eot_id|>", "public static void main(String[] args) {", "def f(x):\n    return x", "#include <stdio.h>",
        "<0x41>", "[UNK]", "ﬁ", "½", "²", "©", "™", "€", "¥",
    };

    static String randomText(Random r, int maxParts) {
        StringBuilder sb = new StringBuilder();
        int parts = r.nextInt(maxParts + 1);
        for (int i = 0; i < parts; i++) {
            switch (r.nextInt(6)) {
                case 0 -> sb.append((char) (0x4E00 + r.nextInt(20000)));
                case 1 -> sb.appendCodePoint(0x20 + r.nextInt(0x250));
                case 2 -> sb.append(r.nextLong());
                default -> sb.append(PARTS[r.nextInt(PARTS.length)]);
            }
        }
        return sb.toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama3-fx", "qwen2-fx", "qwen2-kq-fx", "qwen3-fx", "mixtral-fx"})
    void randomMixedTextMatchesReference(String model) {
        Tokenizer tokenizer = TokenizerFixtures.tokenizer(model);
        ReferenceTokenizer reference = new ReferenceTokenizer(TokenizerFixtures.MODELS.get(model));
        Random r = new Random(model.hashCode());
        for (int i = 0; i < 300; i++) {
            String text = randomText(r, i < 200 ? 12 : 60);
            assertThat(tokenizer.encode(text, true, false)).as(model + " plain: " + text)
                    .containsExactly(reference.encode(text, true, false));
            assertThat(tokenizer.encode(text, true, true)).as(model + " special: " + text)
                    .containsExactly(reference.encode(text, true, true));
            // Second time through the word cache.
            assertThat(tokenizer.encode(text, false, false)).as(model + " cached: " + text)
                    .containsExactly(reference.encode(text, false, false));
        }
    }

    /** Long text: SentencePiece merges over many chunks and BPE over many words agree with the oracle. */
    @ParameterizedTest
    @ValueSource(strings = {"llama3-fx", "mixtral-fx"})
    void longTextMatchesReference(String model) {
        Tokenizer tokenizer = TokenizerFixtures.tokenizer(model);
        ReferenceTokenizer reference = new ReferenceTokenizer(TokenizerFixtures.MODELS.get(model));
        String text = randomText(new Random(7), 400);
        assertThat(tokenizer.encode(text, true, false)).containsExactly(reference.encode(text, true, false));
    }

    /** One tokenizer shared by threads (and its word cache) gives every thread the single-threaded answer. */
    @Test
    void sharedAcrossThreads() throws Exception {
        for (String model : List.of("qwen2-fx", "mixtral-fx")) {
            Tokenizer shared = TokenizerFixtures.tokenizer(model);
            ReferenceTokenizer reference = new ReferenceTokenizer(TokenizerFixtures.MODELS.get(model));
            Random r = new Random(11);
            List<String> texts = new ArrayList<>();
            List<int[]> expected = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                String text = randomText(r, 30);
                texts.add(text);
                expected.add(reference.encode(text, true, false));
            }
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<Map.Entry<Integer, int[]>>> results = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    int offset = t * 7;
                    for (int i = 0; i < texts.size() * 3; i++) {
                        int k = (i + offset) % texts.size();
                        results.add(pool.submit(() -> Map.entry(k, shared.encode(texts.get(k), true, false))));
                    }
                }
                for (Future<Map.Entry<Integer, int[]>> f : results) {
                    Map.Entry<Integer, int[]> e = f.get();
                    assertThat(e.getValue()).as(model + ": " + texts.get(e.getKey()))
                            .containsExactly(expected.get(e.getKey()));
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
