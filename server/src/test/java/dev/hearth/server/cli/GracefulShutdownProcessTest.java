package dev.hearth.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hearth serve} in its own JVM with a fixture model and a broken one (a truncated file: it is listed as failed
 * and the server serves the other), streams in flight, then SIGTERM: /health turns 503 (draining), every stream ends
 * properly (a finish reason, or past the grace an error event, then [DONE]; NDJSON an error line), the ledger holds
 * every request, the process exits 0 without interruption traces, and it leaves no {@code hearth-native*} directory in
 * its temp dir.
 */
class GracefulShutdownProcessTest {
    static final Path MODEL = dev.hearth.testing.Fixtures.model("qwen3-fx-Q8_0.gguf").toAbsolutePath();
    static final Pattern LISTENING = Pattern.compile("hearth listening on http://127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path home;
    @TempDir
    Path tmp;

    @Test
    void sigtermDrainsStreamsAndExitsZero() throws Exception {
        assertThat(MODEL).exists();
        Path broken = home.resolve("broken.gguf");  // the fixture cut after 4 KiB: its tensors are missing
        try (var in = java.nio.file.Files.newInputStream(MODEL)) {
            java.nio.file.Files.write(broken, in.readNBytes(4096));
        }
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve",
                "--port", "0", "--model", broken + "=broken", "--model", MODEL + "=qwen3", "--parallel", "1",
                "--ctx-size", "16384", "--threads", "1", "--shutdown-grace", "2s").redirectErrorStream(true);
        pb.environment().put("HEARTH_HOME", home.toString());
        Process child = pb.start();
        List<String> log = new CopyOnWriteArrayList<>();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        CompletableFuture<Void> loaded = new CompletableFuture<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
                for (String line; (line = out.readLine()) != null; ) {
                    log.add(line);
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                    if (line.startsWith("loaded qwen3")) {
                        loaded.complete(null);
                    }
                }
            } catch (Exception e) {
                log.add("(reading the child's output failed: " + e + ")");
            }
        });
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            String base = "http://127.0.0.1:" + port.get(120, TimeUnit.SECONDS);
            loaded.get(120, TimeUnit.SECONDS);
            HttpResponse<String> before = null;
            for (long end = System.nanoTime() + 30_000_000_000L; System.nanoTime() < end; Thread.sleep(100)) {
                before = client.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (before.body().contains("\"failed\"")) {
                    break;
                }
            }
            // the broken model did not take the server down: it is failed with its reason, the other serves
            assertThat(before.statusCode()).as(before.body()).isEqualTo(200);
            assertThat(before.body()).contains("\"degraded\"").contains("\"broken\"").contains("\"failed\"");
            // long answers (the end-of-turn tokens are banned; 16,000 tokens outlast the grace even on the native kernels,
            // which decode this fixture at hundreds of tokens/s), one slot: the later ones wait in the queue
            String openAi = "{\"model\": \"qwen3\", \"stream\": true, \"max_tokens\": 16000, \"logit_bias\": "
                    + "{\"151645\": -100, \"151643\": -100}, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}";
            String ollama = "{\"model\": \"qwen3\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], "
                    + "\"options\": {\"num_predict\": 16000}}";
            List<CompletableFuture<HttpResponse<String>>> streams = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                streams.add(client.sendAsync(post(base + "/v1/chat/completions", openAi),
                        HttpResponse.BodyHandlers.ofString()));
            }
            CompletableFuture<HttpResponse<String>> ndjson = client.sendAsync(post(base + "/api/chat", ollama),
                    HttpResponse.BodyHandlers.ofString());
            Thread.sleep(1500);  // all four are in the engine: one generating, three waiting
            // SIGTERM (Process.destroy would send it too, but closes our end of the child's output)
            assertThat(new ProcessBuilder("kill", "-TERM", Long.toString(child.pid())).start().waitFor()).isZero();

            // the signal is handled asynchronously: readiness turns 503 (draining) within the grace period
            HttpResponse<String> health = null;
            for (long end = System.nanoTime() + 10_000_000_000L; System.nanoTime() < end; Thread.sleep(20)) {
                health = client.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (health.statusCode() != 200) {
                    break;
                }
            }
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(health.body()).contains("\"draining\"");

            assertThat(child.waitFor(60, TimeUnit.SECONDS)).as(String.join("\n", log)).isTrue();
            assertThat(child.exitValue()).as(String.join("\n", log)).isZero();
            int cut = 0;
            for (CompletableFuture<HttpResponse<String>> s : streams) {
                String body = s.get(10, TimeUnit.SECONDS).body();
                assertThat(body).as(body).endsWith("data: [DONE]\n\n");
                if (body.contains("\"code\":\"shutting_down\"")) {
                    cut++;
                } else {
                    assertThat(body).contains("\"finish_reason\":\"");
                }
            }
            assertThat(cut).as("streams still running when the 2 s grace ended").isGreaterThan(0);
            String[] lines = ndjson.get(10, TimeUnit.SECONDS).body().strip().split("\n");
            assertThat(lines[lines.length - 1]).contains("\"error\"").contains("shutting down");
        } finally {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
            reader.join(10_000);  // the last lines the child wrote
        }
        assertThat(String.join("\n", log)).doesNotContain("InterruptedException").doesNotContain("\tat ")
                .contains("hearth stopped");
        try (var left = java.nio.file.Files.list(tmp)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("hearth-native"));
        }
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + home.resolve("agents.db"));
                ResultSet rs = db.createStatement().executeQuery("SELECT count(*) FROM ledger")) {
            assertThat(rs.getInt(1)).as("ledger rows flushed at exit").isEqualTo(4);
        }
    }

    static HttpRequest post(String url, String json) {
        return HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)).build();
    }
}
