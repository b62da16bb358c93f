package dev.hearth.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.tokenizer.TokenizerFixtures.Case;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every case of every tokenize_<model>.json reference against llama.cpp. */
class TokenizerFixtureTest {

    static List<Case> cases() {
        return TokenizerFixtures.cases();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void idsWithSpecialParsing(Case c) {
        Tokenizer t = TokenizerFixtures.tokenizer(c.model());
        assertThat(t.encode(c.text(), true, true)).as(c + " ids").containsExactly(c.ids("ids"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void idsWithoutSpecialParsing(Case c) {
        Tokenizer t = TokenizerFixtures.tokenizer(c.model());
        assertThat(c.has("ids_parse_special_off")).as("fixture field ids_parse_special_off").isTrue();
        assertThat(t.encode(c.text(), true, false)).as(c + " ids_parse_special_off")
                .containsExactly(c.ids("ids_parse_special_off"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void piecesMatchHex(Case c) {
        Tokenizer t = TokenizerFixtures.tokenizer(c.model());
        int[] ids = c.ids("ids");
        JsonNode hex = c.node().get("pieces_hex");
        assertThat(hex.size()).isEqualTo(ids.length);
        for (int i = 0; i < ids.length; i++) {
            assertThat(HexFormat.of().formatHex(t.tokenPiece(ids[i], true)))
                    .as(c + " piece " + i + " (id " + ids[i] + ")").isEqualToIgnoringCase(hex.get(i).asText());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void detokenizeFields(Case c) {
        Tokenizer t = TokenizerFixtures.tokenizer(c.model());
        assertThat(t.decode(c.ids("ids"), false, true)).as(c + " detok").isEqualTo(c.string("detok"));
        assertThat(t.decode(c.ids("ids"), true, false)).as(c + " detok_skip_special")
                .isEqualTo(c.string("detok_skip_special"));
        assertThat(t.decode(c.ids("ids_parse_special_off"), false, true)).as(c + " detok_parse_special_off")
                .isEqualTo(c.string("detok_parse_special_off"));
    }

    /** Round trip where llama.cpp round-trips: the plain-text encoding decodes back to the text. */
    @Test
    void roundTripWhereReferenceRoundTrips() {
        int checked = 0;
        for (Case c : cases()) {
            Tokenizer t = TokenizerFixtures.tokenizer(c.model());
            Vocabulary v = t.vocabulary();
            String expected = v.addSpacePrefix() && !c.text().isEmpty() ? " " + c.text() : c.text();
            String reference = c.string("detok_parse_special_off");
            String bosText = v.addBos() ? v.text(v.bos()) : "";
            if (!reference.equals(bosText + expected)) {
                continue;
            }
            // The SentencePiece prefix space stays when a leading BOS is removed, as in llama.cpp.
            assertThat(t.decode(t.encode(c.text(), true, false), true, true)).as(c + " round trip")
                    .isEqualTo(expected);
            checked++;
        }
        assertThat(checked).as("cases that round-trip in llama.cpp").isGreaterThanOrEqualTo(120);
    }

    @Test
    void referenceSettingsMatchVocabulary() {
        for (String model : TokenizerFixtures.MODELS.keySet()) {
            JsonNode ref = TokenizerFixtures.reference(model);
            Vocabulary v = TokenizerFixtures.tokenizer(model).vocabulary();
            assertThat(v.addBos()).as(model).isEqualTo(ref.get("add_bos").asBoolean());
            assertThat(v.addEos()).as(model).isEqualTo(ref.get("add_eos").asBoolean());
            assertThat(v.bos()).as(model).isEqualTo(ref.get("bos_id").asInt());
            assertThat(v.eos()).as(model).isEqualTo(ref.get("eos_id").asInt());
            assertThat(v.size()).as(model).isEqualTo(ref.get("n_vocab").asInt());
        }
    }
}
