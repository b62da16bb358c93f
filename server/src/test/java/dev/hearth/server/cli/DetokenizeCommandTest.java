package dev.hearth.server.cli;

import static dev.hearth.server.cli.TokenizeCommandTest.model;
import static dev.hearth.server.cli.TokenizeCommandTest.referenceCase;
import static dev.hearth.server.cli.TokenizeCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.server.cli.TokenizeCommandTest.Result;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DetokenizeCommandTest {

    private static String idList(JsonNode ids) {
        List<String> parts = new ArrayList<>();
        ids.forEach(id -> parts.add(id.asText()));
        return String.join(",", parts);
    }

    @Test
    void printsTheTextWithSpecialTokens() throws Exception {
        JsonNode c = referenceCase("qwen2-fx", "unicode_emoji");
        Result r = run(new byte[0], "detokenize", model("qwen2-fx-Q8_0.gguf"), "--ids", idList(c.get("ids")));
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(c.get("detok").asText() + "\n");
    }

    @Test
    void skipSpecialMatchesReference() throws Exception {
        JsonNode c = referenceCase("llama3-fx", "special_text");
        Result r = run(new byte[0], "detokenize", model("llama3-fx-F16.gguf"), "--skip-special", "--ids",
                idList(c.get("ids")));
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(c.get("detok_skip_special").asText() + "\n");
    }

    @Test
    void badIdsAreClearErrors() {
        Result notNumber = run(new byte[0], "detokenize", model("mixtral-fx-Q4_0.gguf"), "--ids", "1,x,3");
        assertThat(notNumber.exitCode()).isNotZero();
        assertThat(notNumber.err()).contains("--ids: 'x' is not a token id").doesNotContain("Exception");
        Result outOfRange = run(new byte[0], "detokenize", model("mixtral-fx-Q4_0.gguf"), "--ids", "1,32000");
        assertThat(outOfRange.exitCode()).isNotZero();
        assertThat(outOfRange.err()).contains("token id 32000 is out of range").doesNotContain("Exception");
    }
}
