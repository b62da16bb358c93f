package dev.hearth.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The memory bound: {@code hearth serve} in its own JVM with bin/hearth's JVM options ({@code bin/jvm.options}) and a
 * fixture model, 30 s of mixed traffic (plain, streamed and aborted chats, Ollama, grammar-constrained answers with
 * large enum schemas, long prompts, hostile bodies), then idle: its RSS (VmRSS of /proc/PID/status) must come back
 * within 10% of its level after load (after a 10 s warm-up of the same traffic and the idle collections that follow
 * it, so that what the server builds once on first use, compiled code included, counts as loaded). Nothing here
 * depends on speed: the traffic grows the heap on any machine (each enum schema compiles a multi-megabyte grammar),
 * and the return is timed by the server's idle collections (10 s and 30 s after the last request; the second comes
 * after the grammar cache has dropped its idle grammars, up to 64 MiB), which the test waits for with 30 s to spare.
 * With {@code HEARTH_MEMORY_DIAGNOSE=DIR} the server runs with Native Memory Tracking, the test waits the whole return
 * time, and DIR gets the NMT summary, heap, class histogram and mappings after load and at the end, to find where
 * memory stays.
 */
class MemoryReturnProcessTest {
    static final Path MODEL = dev.hearth.testing.Fixtures.model("qwen3-fx-Q8_0.gguf").toAbsolutePath();
    static final Pattern LISTENING = Pattern.compile("hearth listening on http://127\\.0\\.0\\.1:(\\d+)");
    static final Duration TRAFFIC = Duration.ofSeconds(30);
    static final Duration WARM_UP = Duration.ofSeconds(10);
    /** Past the server's second idle collection (30 s after the last request). */
    static final Duration WARM_UP_QUIET = Duration.ofSeconds(33);
    static final Duration RETURN_WITHIN = Duration.ofSeconds(60);
    // The issue's 10%. What broke it before was the heap, not native memory: the engine's scheduler kept the last
    // step's finished sequences until the next step, so an idle server held one request's sampler and grammar
    // automaton (17-27 MiB live after an enum schema) or not, by chance, at either reading (-12% to +11%). Since that
    // fix (Scheduler.stepDone), nine runs at load 0.9-4.3 (six of them beside 2 or 4 busy loops): +0.8% to +9.7%.
    // What still differs is the JVM's own: compiled code and metaspace +3.6 MiB, glibc arenas +3 to +8 MiB resident
    // (NMT malloc +3 MiB, the rest fragmentation that TrimNativeHeapInterval cannot release), and the heap's touched
    // pages -8 to +8 MiB at the same committed size (HEARTH_MEMORY_DIAGNOSE: smaps of the heap range).
    static final double BOUND = 1.10;

    @TempDir
    Path home;

    @Test
    void rssComesBackAfterTheLoadStops() throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions());
        if (DIAGNOSE) {
            command.add("-XX:NativeMemoryTracking=summary");
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve",
                "--port", "0", "--model", MODEL + "=qwen3", "--parallel", "4", "--ctx-size", "2048", "--threads", "1"));
        Process child = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.PIPE).start();
        child.getOutputStream().close();
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
            } catch (IOException e) {
                log.add("(reading the child's output failed: " + e + ")");
            }
        });
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            int serverPort = port.get(120, TimeUnit.SECONDS);
            loaded.get(120, TimeUnit.SECONDS);
            Traffic traffic = new Traffic(client, serverPort);
            // the level after load: once a short run of the same traffic has built what the server builds on first
            // use (a model's grammar vocabulary, the sequences' sampling buffers, loaded classes, compiled code) and
            // the server's idle collections have run (the second after the warm-up's grammars were dropped)
            traffic.warmUp();
            Traffic warmUp = new Traffic(client, serverPort);
            drive(warmUp, System.nanoTime() + WARM_UP.toNanos(), child.pid());
            assertThat(warmUp.errors.get()).as(warmUp.summary()).isZero();
            Thread.sleep(WARM_UP_QUIET.toMillis());
            long postLoad = rssAfterSettling(child.pid());
            diagnose(child.pid(), "post-load");

            long peak = Math.max(postLoad, drive(traffic, System.nanoTime() + TRAFFIC.toNanos(), child.pid()));
            String figures = String.format("RSS after load %d MiB, peak %d MiB; %s", postLoad >> 20, peak >> 20,
                    traffic.summary());
            assertThat(traffic.errors.get()).as(figures).isZero();
            assertThat(traffic.requests.get()).as(figures).isGreaterThan(20);

            long last = peak;
            long stopped = System.nanoTime();
            long deadline = stopped + RETURN_WITHIN.toNanos();
            List<Long> trace = new ArrayList<>();  // MiB, a reading a second
            while (System.nanoTime() < deadline && ((last = rss(child.pid())) > postLoad * BOUND || DIAGNOSE)) {
                trace.add(last >> 20);
                Thread.sleep(1000);
            }
            diagnose(child.pid(), "end");
            String returned = String.format("%s; back to %d MiB %d s after the load (bound %d MiB; MiB a second: %s)",
                    figures, last >> 20, (System.nanoTime() - stopped) / 1_000_000_000,
                    (long) (postLoad * BOUND) >> 20, trace);
            System.out.println("memory bound: " + returned);
            assertThat(last).as(returned).isLessThanOrEqualTo((long) (postLoad * BOUND));
        } finally {
            child.destroy();
            child.waitFor(30, TimeUnit.SECONDS);
            child.destroyForcibly();
            reader.join(10_000);
        }
    }

    /** Runs {@code traffic} on 4 workers until {@code end} and their last requests; the peak RSS seen. */
    static long drive(Traffic traffic, long end, long pid) throws Exception {
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            int worker = w;
            workers.add(Thread.ofVirtual().start(() -> traffic.run(worker, end)));
        }
        long peak = 0;
        while (System.nanoTime() < end) {
            Thread.sleep(500);
            peak = Math.max(peak, rss(pid));
        }
        for (Thread w : workers) {
            w.join(Duration.ofMinutes(2));
        }
        return Math.max(peak, rss(pid));
    }

    static final boolean DIAGNOSE = System.getenv("HEARTH_MEMORY_DIAGNOSE") != null;

    /** With {@link #DIAGNOSE}: the server's NMT summary, heap and mappings into that directory, named {@code label}. */
    static void diagnose(long pid, String label) throws Exception {
        if (!DIAGNOSE) {
            return;
        }
        Path dir = Files.createDirectories(Path.of(System.getenv("HEARTH_MEMORY_DIAGNOSE")));
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        // post-load sets the NMT baseline that end's summary.diff compares with; native_heap_info is glibc's
        // malloc_info (arenas, free chunks), which NMT counts only as malloc'd bytes
        List<String> commands = label.equals("post-load")
                ? List.of("VM.native_memory summary", "VM.native_memory baseline", "GC.heap_info",
                        "GC.class_histogram", "System.native_heap_info")
                : List.of("VM.native_memory summary", "VM.native_memory summary.diff", "GC.heap_info",
                        "GC.class_histogram", "System.native_heap_info");
        for (String command : commands) {
            List<String> line = new ArrayList<>(List.of(jcmd, Long.toString(pid)));
            line.addAll(List.of(command.split(" ")));
            new ProcessBuilder(line).redirectErrorStream(true)
                    .redirectOutput(dir.resolve(label + "." + command.replace(' ', '.') + ".txt").toFile()).start()
                    .waitFor();
        }
        for (String file : List.of("smaps_rollup", "smaps", "status")) {
            Files.copy(Path.of("/proc/" + pid + "/" + file), dir.resolve(label + "." + file + ".txt"));
        }
    }

    /** bin/jvm.options, as bin/hearth reads it. */
    static List<String> jvmOptions() throws IOException {
        Path file = Path.of("").toAbsolutePath().getParent().resolve("bin/jvm.options");
        List<String> options = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (!line.isBlank() && !line.startsWith("#")) {
                options.addAll(List.of(line.trim().split("\\s+")));
            }
        }
        assertThat(options).as(file.toString()).contains("--add-modules");
        return options;
    }

    /** The RSS once the JVM's start-up work has settled: the least of a few readings a second apart. */
    static long rssAfterSettling(long pid) throws Exception {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            Thread.sleep(1000);
            least = Math.min(least, rss(pid));
        }
        return least;
    }

    static long rss(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D+", "")) * 1024;
            }
        }
        throw new IOException("no VmRSS in /proc/" + pid + "/status");
    }

    /** Mixed requests, in turn per worker, until the deadline; any 5xx or unexpected status is an error. */
    static final class Traffic {
        final HttpClient client;
        final int port;
        final AtomicInteger requests = new AtomicInteger();
        final AtomicInteger aborts = new AtomicInteger();
        final AtomicInteger errors = new AtomicInteger();
        final AtomicLong bytes = new AtomicLong();
        volatile String lastError = "";

        Traffic(HttpClient client, int port) {
            this.client = client;
            this.port = port;
        }

        /** One request of each kind, with a small grammar (a JSON object) in place of the large enum schemas. */
        void warmUp() throws Exception {
            expect(200, post("/v1/chat/completions", chat(true, 8, "warm")));
            abortedStream(0);
            expect(200, post("/v1/chat/completions", chat(false, 8, "warm up")));
            expect(200, post("/v1/chat/completions", "{\"model\": \"qwen3\", \"max_tokens\": 8, \"messages\": [{"
                    + "\"role\": \"user\", \"content\": \"json\"}], \"response_format\": {\"type\": \"json_object\"}}"));
            expect(200, post("/api/chat", "{\"model\": \"qwen3\", \"messages\": [{\"role\": \"user\", \"content\": "
                    + "\"warm\"}], \"options\": {\"num_predict\": 8}}"));
            expect(400, post("/v1/chat/completions", "[".repeat(100_000)));
            expect(400, post("/api/generate", "null"));
            assertThat(errors.get()).as(summary()).isZero();
        }

        void run(int worker, long end) {
            for (int i = worker; System.nanoTime() < end; i++) {
                try {
                    switch (i % 7) {
                        case 0 -> expect(200, post("/v1/chat/completions", chat(true, 32, "stream " + i)));
                        case 1 -> abortedStream(i);
                        case 2 -> expect(200, post("/v1/chat/completions", chat(false, 16, "x".repeat(8_000) + i)));
                        case 3 -> expect(200, post("/v1/chat/completions", enumChat(i)));
                        case 4 -> expect(200, post("/api/chat", "{\"model\": \"qwen3\", \"messages\": [{\"role\": "
                                + "\"user\", \"content\": \"hello " + i + "\"}], \"options\": {\"num_predict\": 16}}"));
                        case 5 -> expect(400, post("/v1/chat/completions", "[".repeat(100_000)));
                        default -> expect(400, post("/api/generate", "null"));
                    }
                } catch (Exception e) {
                    error(e.toString());
                }
                requests.incrementAndGet();
            }
        }

        String chat(boolean stream, int maxTokens, String text) {
            return "{\"model\": \"qwen3\", \"stream\": " + stream + ", \"max_tokens\": " + maxTokens
                    + ", \"messages\": [{\"role\": \"user\", \"content\": \"" + text + "\"}]}";
        }

        /** A 20,000-value enum schema, a new one each time: each compiles a grammar of a few megabytes. */
        String enumChat(int salt) {
            StringBuilder values = new StringBuilder();
            for (int v = 0; v < 20_000; v++) {
                values.append(v == 0 ? "" : ",").append("\"s").append(salt).append('-').append(v).append('"');
            }
            return "{\"model\": \"qwen3\", \"max_tokens\": 8, \"messages\": [{\"role\": \"user\", \"content\": "
                    + "\"pick\"}], \"response_format\": {\"type\": \"json_schema\", \"json_schema\": {\"name\": \"e\", "
                    + "\"schema\": {\"type\": \"object\", \"properties\": {\"v\": {\"enum\": [" + values + "]}}, "
                    + "\"required\": [\"v\"]}}}}";
        }

        /** A stream read until its first event, then dropped: the server cancels it and frees its blocks. */
        void abortedStream(int i) throws IOException {
            byte[] body = chat(true, 400, "abort " + i).getBytes(StandardCharsets.UTF_8);
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(60_000);
                OutputStream out = s.getOutputStream();
                out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                InputStream in = s.getInputStream();
                StringBuilder seen = new StringBuilder();
                byte[] buffer = new byte[4096];
                while (seen.indexOf("data: ") < 0) {
                    int n = in.read(buffer);
                    if (n < 0) {
                        error("an aborted stream closed before its first event: " + seen);
                        return;
                    }
                    seen.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
                }
            }
            aborts.incrementAndGet();
        }

        HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
            bytes.addAndGet(json.length());
            return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofMinutes(2)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        }

        void expect(int status, HttpResponse<String> r) {
            if (r.statusCode() != status) {
                error(r.request().uri().getPath() + " " + r.statusCode() + ": "
                        + r.body().substring(0, Math.min(300, r.body().length())));
            }
        }

        void error(String what) {
            errors.incrementAndGet();
            lastError = what;
        }

        String summary() {
            return String.format("%d requests (%d aborted streams, %d MB sent), %d errors%s", requests.get(),
                    aborts.get(), bytes.get() >> 20, errors.get(), lastError.isEmpty() ? "" : ", last: " + lastError);
        }
    }
}
