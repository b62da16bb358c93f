package dev.hearth.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.tokenizer.TokenizerFixtures.Case;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DetokenizerTest {

    @Test
    void deltasJoinToFullDecodeAndNeverSplitACharacter() {
        int withHeldBytes = 0;
        for (Case c : TokenizerFixtures.cases()) {
            Tokenizer t = TokenizerFixtures.tokenizer(c.model());
            int[] ids = c.ids("ids");
            for (boolean[] options : new boolean[][] {{false, true}, {true, false}}) {
                Detokenizer stream = t.detokenizer(options[0], options[1]);
                StringBuilder joined = new StringBuilder();
                for (int id : ids) {
                    String delta = stream.push(id);
                    if (!c.text().contains("\uFFFD")) {
                        assertThat(delta).as(c + " delta").doesNotContain("\uFFFD");
                    }
                    assertThat(delta.isEmpty() || !Character.isHighSurrogate(delta.charAt(delta.length() - 1)))
                            .as(c + " delta ends inside a character").isTrue();
                    if (delta.isEmpty() && t.tokenPiece(id, options[1]).length > 0) {
                        withHeldBytes++;
                    }
                    joined.append(delta);
                }
                joined.append(stream.finish());
                assertThat(joined.toString()).as(c + " joined").isEqualTo(t.decode(ids, options[0], options[1]));
            }
        }
        // byte-level tokens split emoji and CJK characters: the stream had to hold bytes back
        assertThat(withHeldBytes).isGreaterThan(10);
    }

    @Test
    void holdsBackIncompleteSequences() {
        byte[] euro = "€".getBytes(StandardCharsets.UTF_8);
        assertThat(Detokenizer.completePrefix(euro, 1)).isZero();
        assertThat(Detokenizer.completePrefix(euro, 2)).isZero();
        assertThat(Detokenizer.completePrefix(euro, 3)).isEqualTo(3);
        byte[] rocket = "a🚀".getBytes(StandardCharsets.UTF_8);
        assertThat(Detokenizer.completePrefix(rocket, 4)).isEqualTo(1);
        assertThat(Detokenizer.completePrefix(rocket, 5)).isEqualTo(5);
        byte[] invalid = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80};
        assertThat(Detokenizer.completePrefix(invalid, 4)).isEqualTo(4);
    }

    @Test
    void incompleteTailBecomesReplacementOnFinish() {
        Tokenizer t = TokenizerFixtures.tokenizer("mixtral-fx");
        Detokenizer stream = t.detokenizer(false, true);
        int e2 = t.vocabulary().idOf("<0xE2>");
        assertThat(stream.push(e2)).isEmpty();
        assertThat(stream.finish()).isEqualTo("\uFFFD");
    }
}
