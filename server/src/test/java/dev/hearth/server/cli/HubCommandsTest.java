package dev.hearth.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.server.hub.HubTestSupport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HubCommandsTest {
    @TempDir
    Path home;
    AutoCloseable hub;
    String out;
    String err;

    @BeforeEach
    void setUp() throws Exception {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("Tiny-Q8_0.gguf", HubTestSupport.tinyModel(5));
        files.put("Tiny-Q4_K_M.gguf", HubTestSupport.tinyModel(6));
        AtomicReference<URI> endpoint = new AtomicReference<>();
        hub = HubTestSupport.fakeHub("test/Tiny-GGUF", false, files, endpoint::set);
        System.setProperty("hearth.home", home.toString());
        System.setProperty("hearth.hf.endpoint", endpoint.get().toString());
    }

    @AfterEach
    void tearDown() throws Exception {
        hub.close();
        System.clearProperty("hearth.home");
        System.clearProperty("hearth.hf.endpoint");
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

    @Test
    void pullListShowCopyRemove() throws Exception {
        assertThat(run("pull", "hf://test/Tiny-GGUF:Q8_0")).as(err).isZero();
        assertThat(out).contains("downloading Tiny-Q8_0.gguf").contains("100.0%").contains("verified Tiny-Q8_0.gguf")
                .contains("pulled tiny:q8_0 (llama, Q8_0");

        assertThat(run("list")).isZero();
        assertThat(out).contains("NAME").contains("tiny:q8_0").contains("Q8_0").contains("llama");

        assertThat(run("show", "tiny:q8_0")).as(err).isZero();
        assertThat(out).contains("architecture:  llama").contains("llama.block_count")
                .contains("2 layers, dim 64, 2 KV heads x 16, context 256, vocabulary 4096")
                .contains("token_embd.weight").contains("F32").contains("[64, 4096]")
                .contains("chat template:").contains("{{ messages }}")
                .contains("parameters:").contains(String.format("%,d", HubTestSupport.tinyParameterCount()));

        assertThat(run("show", "--json", "tiny:q8_0")).isZero();
        JsonNode json = new ObjectMapper().readTree(out);
        assertThat(json.path("manifest").path("name").asText()).isEqualTo("tiny:q8_0");
        assertThat(json.path("metadata").path("general.architecture").asText()).isEqualTo("llama");

        assertThat(run("cp", "tiny:q8_0", "mine")).isZero();
        assertThat(run("list", "--json")).isZero();
        assertThat(new ObjectMapper().readTree(out)).hasSize(2);

        assertThat(run("rm", "tiny:q8_0")).isZero();
        assertThat(out).contains("removed tiny:q8_0 (0 B freed)");
        assertThat(run("rm", "mine")).isZero();
        assertThat(out).doesNotContain("(0 B freed)");
        try (var blobs = Files.list(home.resolve("blobs"))) {
            assertThat(blobs).isEmpty();
        }
        assertThat(run("list")).isZero();
        assertThat(out).contains("no local models");
    }

    @Test
    void importPutsALocalFileInTheStoreForListShowCopyAndRemove() throws Exception {
        Path file = Files.write(Files.createDirectories(home.resolve("downloads")).resolve("My-Model.Q8_0.gguf"),
                HubTestSupport.tinyModel(7));
        assertThat(run("import", file.toString(), "mine:v1")).as(err).isZero();
        assertThat(out).contains("imported " + file + " as mine:v1 (llama, ").contains("hard link, no copy");
        try (var blobs = Files.list(home.resolve("blobs"))) {
            Path blob = blobs.findFirst().orElseThrow();
            assertThat(Files.isSameFile(blob, file)).as("hard link").isTrue();
            assertThat(blob.getFileName().toString()).isEqualTo("sha256-" + HubTestSupport.sha256(file));
        }
        try (var partial = Files.list(home.resolve("partial"))) {
            assertThat(partial).isEmpty();
        }
        assertThat(run("list")).isZero();
        assertThat(out).contains("mine:v1").contains("llama");
        assertThat(run("show", "mine:v1")).as(err).isZero();
        assertThat(out).contains("source:        file://" + file).contains("2 layers, dim 64");
        assertThat(run("cp", "mine:v1", "other")).isZero();
        assertThat(run("import", file.toString(), "third")).as(err).isZero();
        assertThat(out).contains("the same file was stored already");
        assertThat(run("rm", "mine:v1", "other")).isZero();
        assertThat(run("rm", "third")).isZero();
        assertThat(out).doesNotContain("(0 B freed)");
        assertThat(file).exists();  // the user's file stays; only the store's link went

        Path text = Files.writeString(home.resolve("notes.gguf"), "hello, not a model");
        assertThat(run("import", text.toString(), "notes")).isEqualTo(1);
        assertThat(err).startsWith("error: " + text + " is not a GGUF file (it does not start with the bytes 'GGUF')")
                .doesNotContain("\tat ");
        assertThat(run("import", home.resolve("nothing.gguf").toString(), "x")).isEqualTo(1);
        assertThat(err).contains("error: file not found: " + home.resolve("nothing.gguf"));
        assertThat(run("import", file.toString(), "../etc/x")).isEqualTo(1);
        assertThat(err).contains("invalid model name '../etc/x': path separators are not allowed");
        Path truncated = Files.write(home.resolve("cut.gguf"), java.util.Arrays.copyOf(HubTestSupport.tinyModel(7),
                200));
        assertThat(run("import", truncated.toString(), "cut")).isEqualTo(1);
        assertThat(err).contains("starts like GGUF but cannot be read");
        assertThat(run("import", file.toString(), "again")).isZero();
        assertThat(run("import", file.toString(), "again")).isEqualTo(1);
        assertThat(err).contains("model 'again:latest' already exists; remove it first with 'hearth rm again:latest'");
        try (var partial = Files.list(home.resolve("partial"))) {
            assertThat(partial).isEmpty();
        }
    }

    @Test
    void errorsAreOneClearLine() {
        assertThat(run("show", "ghost")).isEqualTo(1);
        assertThat(err).contains("error: model 'ghost:latest' not found");
        assertThat(run("cp", "ghost", "../../etc")).isEqualTo(1);
        assertThat(err).contains("error: model 'ghost:latest' not found");
        assertThat(run("rm", "../x")).isEqualTo(1);
        assertThat(err).contains("invalid model name '../x'");
        assertThat(run("pull", "hf://test/Nothing-GGUF")).isEqualTo(1);
        assertThat(err).contains("repository not found");
        assertThat(run("pull", "nosuch:1b")).isEqualTo(1);
        assertThat(err).contains("not in the catalogue");
    }

    @Test
    void catalogueListsSizesAndFit() {
        assertThat(run("catalogue", "--ram", "64G", "qwen2.5")).isZero();
        assertThat(out).contains("qwen2.5:32b").contains("bartowski/Qwen2.5-32B-Instruct-GGUF")
                .doesNotContain("llama3.1");
        String line32 = out.lines().filter(l -> l.startsWith("qwen2.5:32b")).findFirst().orElseThrow();
        assertThat(line32).contains("q4_k_m q5_k_m q8_0");
        assertThat(run("catalogue", "--ram", "64G", "mixtral")).isZero();
        String line22 = out.lines().filter(l -> l.startsWith("mixtral:8x22b")).findFirst().orElseThrow();
        assertThat(line22).endsWith("no");
        assertThat(run("catalogue", "zzz")).isEqualTo(1);
    }

    @Test
    void planPrintsEveryModelAndTheBest() throws Exception {
        assertThat(run("plan", "--ram", "64G", "--ctx", "8192", "--parallel", "4", "--kv", "q8_0", "--bandwidth", "50"))
                .as(err).isZero();
        assertThat(out).contains("memory bandwidth 50.0 GB/s (given)").contains("qwen2.5:32b").contains("best: ");
        assertThat(run("plan", "--ram", "64G", "--bandwidth", "50", "--json")).isZero();
        JsonNode json = new ObjectMapper().readTree(out);
        assertThat(json.path("plans").size()).isGreaterThan(60);
        boolean qwen32Fits = false;
        boolean mixtral22Fits = true;
        for (JsonNode p : json.path("plans")) {
            if (p.path("model").asText().equals("qwen2.5:32b") && p.path("quantization").asText().equals("Q4_K_M")) {
                qwen32Fits = p.path("fits").asBoolean();
            }
            if (p.path("model").asText().equals("mixtral:8x22b") && p.path("quantization").asText().equals("Q4_K_M")) {
                mixtral22Fits = p.path("fits").asBoolean();
            }
        }
        assertThat(qwen32Fits).isTrue();
        assertThat(mixtral22Fits).isFalse();
        assertThat(json.path("best").path("fits").asBoolean()).isTrue();
        assertThat(run("plan", "--kv", "q4", "--bandwidth", "50")).isEqualTo(1);
        assertThat(err).contains("unknown KV cache type 'q4'");
    }
}
