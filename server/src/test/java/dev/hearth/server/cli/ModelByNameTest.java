package dev.hearth.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code run}, {@code logits}, {@code tokenize}, {@code detokenize} take a store name as they take a path. */
class ModelByNameTest {
    @TempDir
    Path home;
    String out;
    String err;

    static Path fixture(String name) {
        Path root = Path.of(System.getProperty("hearth.fixtures", "../../shared/fixtures")).toAbsolutePath().normalize();
        Path model = root.resolve("models").resolve(name);
        if (!Files.isRegularFile(model)) {
            throw new AssertionError("fixture not found: " + model + " (set -Dhearth.fixtures)");
        }
        return model;
    }

    @BeforeEach
    void setUp() {
        System.setProperty("hearth.home", home.toString());
        System.setProperty("hearth.hf.endpoint", "http://127.0.0.1:9");  // nothing to pull: all offline
        System.setProperty("hearth.hf.backoffMillis", "10");
    }

    @AfterEach
    void tearDown() {
        System.clearProperty("hearth.home");
        System.clearProperty("hearth.hf.endpoint");
        System.clearProperty("hearth.hf.backoffMillis");
    }

    int run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            return Main.run(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
            out = o.toString(StandardCharsets.UTF_8);
            err = e.toString(StandardCharsets.UTF_8);
        }
    }

    /** Runs the command with the file path, then with the store name in its place; both outputs must agree. */
    String samePathAndName(String... args) {
        String path = fixture("qwen3-fx-Q8_0.gguf").toString();
        String[] byPath = args.clone();
        String[] byName = args.clone();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("MODEL")) {
                byPath[i] = path;
                byName[i] = "qwen3";
            }
        }
        assertThat(run(byPath)).as(err).isZero();
        String expected = args[0].equals("run") ? out.lines().findFirst().orElseThrow() : out;  // not the speeds
        assertThat(run(byName)).as(err).isZero();
        assertThat(args[0].equals("run") ? out.lines().findFirst().orElseThrow() : out).isEqualTo(expected);
        return out;
    }

    @Test
    void storeNamesWorkWherePathsDo() {
        assertThat(run("import", fixture("qwen3-fx-Q8_0.gguf").toString(), "qwen3")).as(err).isZero();
        assertThat(samePathAndName("tokenize", "MODEL", "--json", "--", "Hello world")).startsWith("{\"ids\":[");
        assertThat(samePathAndName("detokenize", "MODEL", "--ids", "9707,1879")).isNotBlank();
        assertThat(samePathAndName("logits", "MODEL", "--ids", "9707,1879", "--top", "3", "--threads", "1"))
                .contains("\"pos\": 1");
        String answer = samePathAndName("run", "MODEL", "--ids", "9707,1879", "-n", "3", "--temp", "0",
                "--threads", "1", "--ctx-size", "64");
        assertThat(answer.lines().findFirst().orElseThrow()).matches("\\[\\d+, \\d+, \\d+\\]");
    }

    @Test
    void hubReferencesArePulledOnFirstUseThenServedFromTheStore() throws Exception {
        Path file = fixture("mixtral-fx-Q4_0.gguf");
        java.util.concurrent.atomic.AtomicReference<java.net.URI> endpoint = new java.util.concurrent.atomic.AtomicReference<>();
        try (AutoCloseable hub = dev.hearth.server.hub.HubTestSupport.fakeHub("test/Mixtral-GGUF", false,
                java.util.Map.of("Mixtral-Q4_0.gguf", Files.readAllBytes(file)), endpoint::set)) {
            System.setProperty("hearth.hf.endpoint", endpoint.get().toString());
            String[] args = {"run", "MODEL", "--ids", "1,22557", "-n", "3", "--temp", "0", "--threads", "1",
                "--ctx-size", "64"};
            args[1] = file.toString();
            assertThat(run(args)).as(err).isZero();
            String expected = out.lines().findFirst().orElseThrow();
            args[1] = "hf://test/Mixtral-GGUF:Q4_0";
            assertThat(run(args)).as(err).isZero();
            assertThat(err).contains("downloading Mixtral-Q4_0.gguf").contains("verified Mixtral-Q4_0.gguf");
            assertThat(out.lines().findFirst().orElseThrow()).isEqualTo(expected);
            args[1] = "mixtral:q4_0";  // now stored under the name the pull gave it: no download
            assertThat(run(args)).as(err).isZero();
            assertThat(err).doesNotContain("downloading");
            assertThat(out.lines().findFirst().orElseThrow()).isEqualTo(expected);
        }
    }

    @Test
    void unknownNamesAndUnreachableCataloguePullsAreOneLine() {
        assertThat(run("run", "qwen3", "--ids", "1")).isEqualTo(1);
        assertThat(err).startsWith("error: no model 'qwen3': it is not in the local store").contains("hearth import FILE qwen3")
                .doesNotContain("\tat ");
        assertThat(run("bench", "qwen2.5:0.5b", "-r", "1")).isEqualTo(1);
        assertThat(err).contains("error: the model 'qwen2.5:0.5b' is not in the local store and pulling it failed")
                .contains("http://127.0.0.1:9").contains("hearth import FILE qwen2.5:0.5b").doesNotContain("\tat ");
    }
}
