package dev.hearth.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.testing.Fixtures;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** {@code hearth run} with text: reference greedy ids from the reference prompt text, chat, seeds, limits. */
class RunTextTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Result(int exitCode, String out, String err) {}

    static Result cli(String stdin, String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        InputStream oldIn = System.in;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            int code = Main.run(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
            System.setIn(oldIn);
        }
    }

    /**
     * The reference prompt text, tokenized by hearth (BOS and special tokens as llama.cpp), then greedy: the ids equal
     * the float32-math reference's greedy ids up to its first near-tie (gap <= 1e-2), since hearth's matmuls use
     * float32 activations.
     */
    @ParameterizedTest
    @ValueSource(strings = {"llama3-fx-F16", "llama3-fx-Q4_0", "qwen2-fx-Q8_0", "qwen2-kq-fx-Q4_K_M", "qwen3-fx-Q8_0",
        "mixtral-fx-Q4_0"})
    void greedyRunFromReferenceTextGivesReferenceIds(String model) throws Exception {
        JsonNode ref = JSON.readTree(Fixtures.reference("logits_" + model + ".dequant-f32.json").toFile());
        JsonNode p = ref.get("prompts").get(0);
        Result r = cli("", "run", Fixtures.model(model + ".gguf").toString(), "--raw", "-p", p.get("text").asText(),
                "--temp", "0", "-n", "16", "--ignore-eos", "--json", "--threads", "2");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode out = JSON.readTree(r.out().strip());
        assertThat(out.get("prompt_tokens").asInt()).isEqualTo(p.get("prompt_ids").size());
        JsonNode prefill = p.get("prefill");
        int checked = 0;
        for (int i = 0; i < 16; i++) {
            JsonNode top = i == 0 ? prefill.get(prefill.size() - 1).get("top") : p.get("greedy").get(i - 1).get("top");
            if (top.get(0).get(1).asDouble() - top.get(1).get(1).asDouble() <= 1e-2) {
                break;
            }
            assertThat(out.get("ids").get(i).asInt()).as(model + " step " + i).isEqualTo(p.get("greedy_ids").get(i).asInt());
            checked++;
        }
        assertThat(checked).as(model + ": steps before the first near-tie").isGreaterThan(3);
    }

    @Test
    void interactiveChatAnswersEachTurnUntilBye() {
        Result r = cli("hello\n\nhow are you\n/bye\nnot read\n", "run", Fixtures.model("qwen3-fx-Q8_0.gguf").toString(),
                "-n", "4", "--seed", "7", "--threads", "2");
        assertThat(r.exitCode()).as(r.err()).isZero();
        // two answers, each with its speed line; the line after /bye is never answered
        assertThat(r.err().lines().filter(l -> l.startsWith("prompt: ")).count()).isEqualTo(2);
        assertThat(r.err()).contains("generation: 4 tokens");
    }

    @Test
    void seedMakesSamplingReproducible() throws Exception {
        String model = Fixtures.model("llama3-fx-Q4_0.gguf").toString();
        Result a = cli("", "run", model, "-p", "Tell me a story", "--temp", "1.2", "--seed", "42", "-n", "12", "--json");
        Result b = cli("", "run", model, "-p", "Tell me a story", "--temp", "1.2", "--seed", "42", "-n", "12", "--json");
        Result c = cli("", "run", model, "-p", "Tell me a story", "--temp", "1.2", "--seed", "43", "-n", "12", "--json");
        assertThat(a.exitCode()).as(a.err()).isZero();
        JsonNode ja = JSON.readTree(a.out().strip());
        assertThat(JSON.readTree(b.out().strip()).get("ids")).isEqualTo(ja.get("ids"));
        assertThat(JSON.readTree(c.out().strip()).get("ids")).isNotEqualTo(ja.get("ids"));
        assertThat(ja.get("seed").asLong()).isEqualTo(42);
    }

    @Test
    void promptLongerThanTheContextIsAnErrorNamingBothNumbers() {
        Result r = cli("", "run", Fixtures.model("llama3-fx-Q4_0.gguf").toString(), "--raw", "-p",
                "one two three four five six seven eight nine ten eleven twelve", "-c", "8");
        assertThat(r.exitCode()).isNotZero();
        // the load report may come first; the error is the last line, one line, no stack trace
        assertThat(r.err().strip().lines().reduce((a, b) -> b).orElseThrow()).startsWith("error: ")
                .contains("context length is 8");
        assertThat(r.err()).doesNotContain("\tat ");
    }

    @Test
    void reachingTheContextEndFinishesWithLength() throws Exception {
        Result r = cli("", "run", Fixtures.model("llama3-fx-Q4_0.gguf").toString(), "--raw", "-p", "Hello there",
                "-c", "10", "--ignore-eos", "--json", "--temp", "0");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode out = JSON.readTree(r.out().strip());
        assertThat(out.get("finish_reason").asText()).isEqualTo("length");
        assertThat(out.get("prompt_tokens").asInt() + out.get("generated_tokens").asInt()).isEqualTo(10);
    }
}
