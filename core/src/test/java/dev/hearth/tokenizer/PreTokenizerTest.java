package dev.hearth.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The hand-written pre-tokenizers against their java.util.regex twins. */
class PreTokenizerTest {
    private static final String ALPHABET = "aZé字ß 0١²\t\n\r'sStTrReEvVmMlLdD.,!?-_()<|>\"\u00a0\u2003\u0301😀🚀"
            + "\u3000\u200d٣Ⅷ";

    @ParameterizedTest
    @EnumSource(value = PreTokenizerKind.class, names = {"LLAMA3", "QWEN2", "GPT2"})
    void matchesRegexOnFixtureTextsAndRandomStrings(PreTokenizerKind kind) {
        List<String> texts = new ArrayList<>();
        for (TokenizerFixtures.Case c : TokenizerFixtures.cases()) {
            if (c.model().equals("llama3-fx")) {
                texts.add(c.text());
            }
        }
        Random random = new Random(42);
        int[] alphabet = ALPHABET.codePoints().toArray();
        for (int i = 0; i < 3000; i++) {
            StringBuilder sb = new StringBuilder();
            int length = random.nextInt(24);
            for (int k = 0; k < length; k++) {
                sb.appendCodePoint(alphabet[random.nextInt(alphabet.length)]);
            }
            texts.add(sb.toString());
        }
        PreTokenizer fast = kind.create();
        PreTokenizer regex = kind.createRegex();
        assertThat(fast).isNotInstanceOf(RegexPreTokenizer.class);
        for (String text : texts) {
            assertThat(words(fast, text)).as(kind + " on " + text).isEqualTo(words(regex, text));
        }
    }

    static List<String> words(PreTokenizer p, String text) {
        IntList ends = new IntList(8);
        p.split(text, 0, text.length(), ends);
        List<String> words = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < ends.size(); i++) {
            words.add(text.substring(start, ends.get(i)));
            start = ends.get(i);
        }
        return words;
    }
}
