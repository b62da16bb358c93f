package dev.hearth.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TokenizeCommandTest {

    /** Captured output of one {@link Main#run} call. */
    record Result(int exitCode, String out, String err) {}

    static Result run(byte[] stdin, String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        InputStream oldIn = System.in;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            System.setIn(new ByteArrayInputStream(stdin));
            int code = Main.run(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
            System.setIn(oldIn);
        }
    }

    static Path fixtures() {
        Path root = Path.of(System.getProperty("hearth.fixtures", "../shared/fixtures"));
        if (!Files.isDirectory(root)) {
            throw new AssertionError("fixtures folder not found: " + root.toAbsolutePath());
        }
        return root;
    }

    static String model(String file) {
        Path p = fixtures().resolve("models").resolve(file);
        if (!Files.isRegularFile(p)) {
            throw new AssertionError("fixture missing: " + p);
        }
        return p.toString();
    }

    static JsonNode referenceCase(String model, String name) throws Exception {
        JsonNode ref = new ObjectMapper().readTree(fixtures().resolve("reference/tokenize_" + model + ".json").toFile());
        for (JsonNode c : ref.get("cases")) {
            if (c.get("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no case " + name);
    }

    @Test
    void jsonIdsWithSpecialParsing() throws Exception {
        JsonNode c = referenceCase("qwen3-fx", "special_text");
        Result r = run(new byte[0], "tokenize", model("qwen3-fx-Q8_0.gguf"), "--json", "--special", "--",
                c.get("text").asText());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(new ObjectMapper().readTree(r.out()).get("ids")).isEqualTo(c.get("ids"));
    }

    @Test
    void jsonIdsWithoutSpecialParsingFromStdin() throws Exception {
        JsonNode c = referenceCase("llama3-fx", "special_tokens_all_families");
        byte[] text = c.get("text").asText().getBytes(StandardCharsets.UTF_8);
        Result r = run(text, "tokenize", model("llama3-fx-Q4_0.gguf"), "--json", "--", "-");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(new ObjectMapper().readTree(r.out()).get("ids")).isEqualTo(c.get("ids_parse_special_off"));
    }

    @Test
    void plainOutputListsIdsWithPieces() {
        Result r = run(new byte[0], "tokenize", model("mixtral-fx-Q4_0.gguf"), "--", "Hello");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("1\t\"<s>\"\n22557\t\"▁Hello\"\n".replace("▁", " "));
    }

    @Test
    void missingModelIsAClearError() {
        Result r = run(new byte[0], "tokenize", "/nonexistent/model.gguf", "--json", "--", "hi");
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.err()).contains("model file not found: /nonexistent/model.gguf").doesNotContain("Exception");
    }
}
