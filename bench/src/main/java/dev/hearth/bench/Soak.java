package dev.hearth.bench;

import java.io.IOException;
import java.io.InputStream;
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
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;

/**
 * A soak run against a running {@code hearth serve}, started by hand: N minutes of mixed traffic from C clients (plain
 * and streamed chats, OpenAI and Ollama, streams aborted mid-answer, and hostile requests: null and non-object bodies,
 * deep nesting, invalid UTF-8, oversized and smuggled bodies, huge enum schemas, half-sent headers), then a quiet
 * period ({@code --idle-seconds}, 60 by default). Every 10 s and at the end it prints requests, aborts, errors (5xx
 * or failed connections on well-formed requests, 2xx on hostile ones), the server's RSS (from /proc, given its pid)
 * and KV blocks in use (from /metrics).
 *
 * <pre>java -cp bench/target/classes dev.hearth.bench.Soak --target http://127.0.0.1:8080 --model qwen3 \
 *     --pid $(pgrep -f 'hearth-server.jar serve') --minutes 10 --clients 8 [--api-key KEY] [--idle-seconds 60]</pre>
 */
public final class Soak {
    private final URI target;
    private final String model;
    private final long pid;
    private final String apiKey;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong aborts = new AtomicLong();
    private final AtomicLong hostile = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final LongAccumulator peakRss = new LongAccumulator(Math::max, 0);
    private volatile String lastError = "";

    private Soak(URI target, String model, long pid, String apiKey) {
        this.target = target;
        this.model = model;
        this.pid = pid;
        this.apiKey = apiKey;
    }

    public static void main(String[] args) throws Exception {
        String target = "http://127.0.0.1:8080";
        String model = null;
        String apiKey = null;
        long pid = -1;
        double minutes = 5;
        int clients = 8;
        int idleSeconds = 60;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--target" -> target = args[i + 1];
                case "--model" -> model = args[i + 1];
                case "--pid" -> pid = Long.parseLong(args[i + 1]);
                case "--minutes" -> minutes = Double.parseDouble(args[i + 1]);
                case "--clients" -> clients = Integer.parseInt(args[i + 1]);
                case "--api-key" -> apiKey = args[i + 1];
                case "--idle-seconds" -> idleSeconds = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (model == null || args.length % 2 != 0) {
            System.err.println("usage: Soak --model NAME [--target URL] [--pid PID] [--minutes N] [--clients C]"
                    + " [--api-key KEY] [--idle-seconds S]");
            System.exit(2);
        }
        new Soak(URI.create(target), model, pid, apiKey).run(Duration.ofMillis((long) (minutes * 60_000)), clients,
                Duration.ofSeconds(idleSeconds));
    }

    private void run(Duration length, int clients, Duration idle) throws Exception {
        long startRss = rssBytes();
        System.out.printf("soak: %s, model %s, %d clients, %.1f min; RSS at start %s, KV blocks in use %s%n", target,
                model, clients, length.toSeconds() / 60.0, mib(startRss), kvBlocks());
        long end = System.nanoTime() + length.toNanos();
        Thread[] workers = new Thread[clients];
        for (int i = 0; i < clients; i++) {
            workers[i] = Thread.ofVirtual().start(() -> {
                while (System.nanoTime() < end) {
                    oneRequest();
                }
            });
        }
        long started = System.nanoTime();
        while (System.nanoTime() < end) {
            Thread.sleep(Math.min(10_000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
            report("t=" + (System.nanoTime() - started) / 1_000_000_000 + "s");
        }
        for (Thread w : workers) {
            w.join();
        }
        report("load stopped");
        // quiet: aborted sequences are gone, and the server's heap and native arenas shrink back (its GC's periodic
        // collection and native trim run every 10 s)
        long stopped = System.nanoTime();
        while (System.nanoTime() - stopped < idle.toNanos()) {
            Thread.sleep(Math.min(10_000, Math.max(1, (idle.toNanos() - (System.nanoTime() - stopped)) / 1_000_000)));
            report("idle " + (System.nanoTime() - stopped) / 1_000_000_000 + "s");
        }
        long endRss = rssBytes();
        System.out.printf("summary: %.1f min, %d requests, %d aborted streams, %d hostile, %d errors; RSS start %s,"
                + " peak %s, end %s; KV blocks in use at end %s%s%n", length.toSeconds() / 60.0, requests.get(),
                aborts.get(), hostile.get(), errors.get(), mib(startRss), mib(peakRss.get()), mib(endRss), kvBlocks(),
                lastError.isEmpty() ? "" : "; last error: " + lastError);
    }

    private void report(String when) {
        long rss = rssBytes();
        System.out.printf("%-16s requests %d, aborts %d, hostile %d, errors %d, RSS %s, KV blocks in use %s%n", when,
                requests.get(), aborts.get(), hostile.get(), errors.get(), mib(rss), kvBlocks());
    }

    private void oneRequest() {
        int pick = ThreadLocalRandom.current().nextInt(100);
        try {
            if (pick < 30) {
                expectOk(post("/v1/chat/completions", chat(false, 24)));
            } else if (pick < 50) {
                String body = expectOk(post("/v1/chat/completions", chat(true, 48)));
                if (!body.endsWith("data: [DONE]\n\n")) {
                    error("a stream did not end with [DONE]");
                }
            } else if (pick < 60) {
                expectOk(post("/api/chat", "{\"model\": \"" + model + "\", \"messages\": [{\"role\": \"user\", "
                        + "\"content\": \"hello\"}], \"options\": {\"num_predict\": 32}}"));
            } else if (pick < 75) {
                abortedStream();
            } else {
                hostileRequest(pick % 8);
            }
        } catch (IOException e) {
            error("connection: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            requests.incrementAndGet();
        }
    }

    private String chat(boolean stream, int maxTokens) {
        int n = ThreadLocalRandom.current().nextInt(1000);
        return "{\"model\": \"" + model + "\", \"stream\": " + stream + ", \"max_tokens\": " + maxTokens
                + ", \"messages\": [{\"role\": \"system\", \"content\": \"You are a soak test.\"}, {\"role\": "
                + "\"user\", \"content\": \"request " + n + "\"}]}";
    }

    /** A stream read until its first event, then dropped: the server must cancel it and free its blocks. */
    private void abortedStream() throws IOException {
        byte[] body = chat(true, 200).getBytes(StandardCharsets.UTF_8);
        try (Socket s = new Socket(target.getHost(), target.getPort())) {
            s.setSoTimeout(30_000);
            raw(s, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + auth() + "Content-Length: " + body.length + "\r\n\r\n", body);
            InputStream in = s.getInputStream();
            byte[] buffer = new byte[4096];
            String seen = "";
            while (!seen.contains("data: ")) {
                int n = in.read(buffer);
                if (n < 0) {
                    error("an aborted stream's connection closed early: " + seen);
                    return;
                }
                seen += new String(buffer, 0, n, StandardCharsets.ISO_8859_1);
            }
        }
        aborts.incrementAndGet();
    }

    private void hostileRequest(int kind) throws IOException, InterruptedException {
        hostile.incrementAndGet();
        String answer = switch (kind) {
            case 0 -> status(post("/v1/chat/completions", "null"));
            case 1 -> status(post("/api/generate", "[" .repeat(100_000)));
            case 2 -> rawExchange("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Connection: close\r\nContent-Length: 6\r\n\r\n", new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', '}'});
            case 3 -> rawExchange("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n"
                    + "\r\n", "GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            case 4 -> rawExchange("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 36\r\n\r\n",
                    "GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            case 5 -> status(post("/v1/chat/completions", enumSchemaChat(20_000)));
            case 6 -> rawExchange("GET /health HTTP/1.1\r\nHost: x\r\n", new byte[0]);  // never finished
            default -> status(post("/v1/chat/completions", "{\"model\": \"" + model + "\", \"messages\": \"hi\"}"));
        };
        boolean ok = switch (kind) {
            case 4 -> count(answer, "HTTP/1.1 ") == 1;  // one answer: the body is not a second request
            case 5 -> answer.startsWith("HTTP/1.1 200") || answer.startsWith("HTTP/1.1 4");
            case 6 -> !answer.contains("HTTP/1.1 2");
            default -> answer.startsWith("HTTP/1.1 4");
        };
        if (!ok) {
            error("hostile request " + kind + " got: " + answer.lines().findFirst().orElse("(nothing)"));
        }
    }

    private String enumSchemaChat(int values) {
        StringBuilder e = new StringBuilder();
        int salt = ThreadLocalRandom.current().nextInt(4);  // a few distinct schemas: the grammar cache sees reuse
        for (int i = 0; i < values; i++) {
            e.append(i == 0 ? "" : ",").append("\"v").append(salt).append('-').append(i).append('"');
        }
        return "{\"model\": \"" + model + "\", \"max_tokens\": 16, \"messages\": [{\"role\": \"user\", \"content\": "
                + "\"pick\"}], \"response_format\": {\"type\": \"json_schema\", \"json_schema\": {\"name\": \"e\", "
                + "\"schema\": {\"type\": \"object\", \"properties\": {\"v\": {\"enum\": [" + e + "]}}, "
                + "\"required\": [\"v\"]}}}}";
    }

    private HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(target.resolve(path)).timeout(Duration.ofMinutes(2))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (apiKey != null) {
            b.header("Authorization", "Bearer " + apiKey);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String expectOk(HttpResponse<String> r) {
        if (r.statusCode() != 200 && r.statusCode() != 429) {
            error(r.request().uri().getPath() + " " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    private static String status(HttpResponse<String> r) {
        return "HTTP/1.1 " + r.statusCode() + " " + r.body();
    }

    /** Sends bytes on a new connection and reads until the server closes it (or 15 s pass). */
    private String rawExchange(String head, byte[] body) throws IOException {
        try (Socket s = new Socket(target.getHost(), target.getPort())) {
            s.setSoTimeout(15_000);
            raw(s, head, body);
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (java.net.SocketTimeoutException e) {
            return "(still open after 15 s)";
        } catch (java.net.SocketException e) {
            return "(reset)";
        }
    }

    private static void raw(Socket s, String head, byte[] body) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }

    private String auth() {
        return apiKey == null ? "" : "Authorization: Bearer " + apiKey + "\r\n";
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    private void error(String what) {
        errors.incrementAndGet();
        lastError = what.length() > 300 ? what.substring(0, 300) : what;
    }

    private long rssBytes() {
        if (pid < 0) {
            return -1;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    long kib = Long.parseLong(line.replaceAll("\\D+", ""));
                    peakRss.accumulate(kib * 1024);
                    return kib * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private String kvBlocks() {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(target.resolve("/metrics")).timeout(Duration.ofSeconds(10));
            if (apiKey != null) {
                b.header("Authorization", "Bearer " + apiKey);
            }
            long sum = 0;
            boolean found = false;
            for (String line : client.send(b.build(), HttpResponse.BodyHandlers.ofString()).body().split("\n")) {
                if (line.startsWith("hearth_kv_blocks_in_use{")) {
                    sum += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                    found = true;
                }
            }
            return found ? Long.toString(sum) : "n/a";
        } catch (IOException | InterruptedException e) {
            return "n/a";
        }
    }

    private static String mib(long bytes) {
        return bytes < 0 ? "n/a" : bytes / (1 << 20) + " MiB";
    }
}
