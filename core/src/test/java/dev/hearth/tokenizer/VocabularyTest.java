package dev.hearth.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.gguf.GgufKeys;
import dev.hearth.gguf.GgufMetadata;
import dev.hearth.gguf.GgufValue;
import dev.hearth.gguf.GgufValue.GgufArray;
import dev.hearth.gguf.GgufValueType;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VocabularyTest {

    @Test
    void llama3EndOfGenerationAndTypes() {
        Vocabulary v = TokenizerFixtures.tokenizer("llama3-fx").vocabulary();
        assertThat(v.model()).isEqualTo(Vocabulary.Model.BPE);
        assertThat(v.text(128009)).isEqualTo("<|eot_id|>");
        assertThat(v.eot()).isEqualTo(128009);
        assertThat(v.eom()).isEqualTo(128008);
        assertThat(v.endOfGenerationIds()).containsExactly(128001, 128008, 128009);
        assertThat(v.type(128000)).isEqualTo(TokenType.CONTROL);
        assertThat(v.type(9906)).isEqualTo(TokenType.NORMAL);
        assertThat(v.isEndOfGeneration(128009)).isTrue();
        assertThat(v.isEndOfGeneration(128000)).isFalse();
    }

    @Test
    void qwenEndOfGenerationIncludesFimAndSlashS() {
        Vocabulary v = TokenizerFixtures.tokenizer("qwen3-fx").vocabulary();
        assertThat(v.idOf("</s>")).isEqualTo(128247);
        assertThat(v.type(128247)).isEqualTo(TokenType.CONTROL);
        assertThat(v.type(v.idOf("<think>"))).isEqualTo(TokenType.USER_DEFINED);
        assertThat(v.type(v.idOf("<|fim_prefix|>"))).isEqualTo(TokenType.CONTROL);
        assertThat(v.endOfGenerationIds()).containsExactly(128247, 151643, 151645, 151662, 151663, 151664);
    }

    @Test
    void mixtralSentencePieceSettings() {
        Vocabulary v = TokenizerFixtures.tokenizer("mixtral-fx").vocabulary();
        assertThat(v.model()).isEqualTo(Vocabulary.Model.SPM);
        assertThat(v.addSpacePrefix()).isTrue();
        assertThat(v.unk()).isZero();
        assertThat(v.type(0)).isEqualTo(TokenType.UNKNOWN);
        assertThat(v.type(3)).isEqualTo(TokenType.BYTE);
        assertThat(v.idOf("▁Hello")).isEqualTo(22557);
        assertThat(v.endOfGenerationIds()).containsExactly(2);
    }

    @Test
    void errorsNameTheKey() {
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put(GgufKeys.TOKENIZER_MODEL, GgufValue.ofString("wordpiece"));
        assertThatThrownBy(() -> Vocabulary.fromGguf(new GgufMetadata(m))).hasMessageContaining("tokenizer.ggml.model");
        m.put(GgufKeys.TOKENIZER_MODEL, GgufValue.ofString("llama"));
        m.put(GgufKeys.TOKENIZER_TOKENS, new GgufValue(GgufValueType.ARRAY,
                new GgufArray(GgufValueType.STRING, new String[] {"<unk>", "<s>", "</s>"})));
        m.put(GgufKeys.TOKENIZER_BOS_ID, GgufValue.ofUInt32(7));
        assertThatThrownBy(() -> Vocabulary.fromGguf(new GgufMetadata(m)))
                .hasMessageContaining("tokenizer.ggml.bos_token_id").hasMessageContaining("7");
    }
}
