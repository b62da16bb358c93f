package dev.hearth.server.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.server.upstream.UpstreamException.Kind;
import dev.hearth.server.config.BackendConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One OpenAI-compatible endpoint (a cloud API, one Hearth node, Ollama, vLLM, llama-server): its HTTP client
 * (connections kept alive), circuit breaker, health and outstanding-request count. {@link #open} sends a request and
 * returns once the response is known good up to its first event, so a failure before that can fall back elsewhere.
 */
final class UpstreamNode implements AutoCloseable {
    private static final int MAX_ERROR_BODY = 64 << 10;
    private static final int MAX_BODY = 32 << 20;

    final String label;
    final URI base;
    final CircuitBreaker breaker;
    final AtomicInteger outstanding = new AtomicInteger();
    volatile boolean healthy = true;
    private final Http1Client client;
    private final String apiKey;
    private final BackendConfig.Timeouts timeouts;

    UpstreamNode(String label, URI base, String apiKey, BackendConfig.Remote config) {
        this.label = label;
        this.base = base;
        this.apiKey = apiKey;
        this.timeouts = config.timeouts();
        this.breaker = new CircuitBreaker(config.breaker().failures(), config.breaker().openFor(), System::nanoTime);
        this.client = new Http1Client(base, timeouts.connect());
    }

    /** A response whose status is 200 and whose first event (or whole body) has arrived and parses. */
    record Opened(UpstreamNode node, boolean stream, SseReader events, String firstEvent, Http1Body chunks,
            byte[] body, long startNanos, long totalDeadlineNanos) {}

    Opened open(String path, byte[] requestBody, boolean stream) {
        long start = System.nanoTime();
        long total = start + timeouts.total().toNanos();
        long first = Math.min(total, start + (stream ? timeouts.firstToken() : timeouts.total()).toNanos());
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("Accept", stream ? "text/event-stream" : "application/json");
        if (apiKey != null) {
            headers.put("Authorization", "Bearer " + apiKey);
        }
        Http1Client.Response response;
        try {
            // the first-token deadline bounds the wait for the response head; the body is read against deadlines
            response = client.send("POST", path, headers, requestBody, first);
        } catch (SocketTimeoutException e) {
            throw UpstreamException.of(Kind.TIMEOUT, label + ": no response within "
                    + Duration.ofNanos(first - start).toMillis() + " ms");
        } catch (IOException e) {
            throw classify(e);
        }
        Http1Body chunks = response.body();
        try {
            int status = response.status();
            if (status != 200) {
                byte[] body = readAll(chunks, Math.min(total, System.nanoTime() + 2_000_000_000L), MAX_ERROR_BODY);
                long retryAfter = Backoff.parseRetryAfter(response.header("retry-after"));
                Kind kind = status == 429 || status == 502 || status == 503 || status == 504 ? Kind.RETRYABLE_STATUS
                        : status >= 500 ? Kind.SERVER_ERROR
                        : status == 408 ? Kind.RETRYABLE_STATUS : Kind.CLIENT_ERROR;
                throw new UpstreamException(kind, status, retryAfter, body, label + " answered HTTP " + status
                        + (retryAfter >= 0 ? " (Retry-After " + retryAfter + " ms)" : ""));
            }
            if (!stream) {
                byte[] body = readAll(chunks, first, MAX_BODY);
                JsonNode json = parse(body);
                if (!json.has("choices")) {
                    throw UpstreamException.of(Kind.MALFORMED, label + ": the response has no 'choices'");
                }
                return new Opened(this, false, null, null, chunks, body, start, total);
            }
            SseReader events = new SseReader(chunks);
            String firstEvent = events.next(first);
            if (firstEvent == null || firstEvent.equals("[DONE]")) {
                throw UpstreamException.of(Kind.MALFORMED, label + ": the stream ended before any chunk");
            }
            JsonNode json = parse(firstEvent.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            if (json.has("error")) {
                throw UpstreamException.of(Kind.SERVER_ERROR, label + ": the stream began with an error: "
                        + UpstreamException.abbreviate(json.get("error").toString()));
            }
            return new Opened(this, true, events, firstEvent, chunks, null, start, total);
        } catch (UpstreamException e) {
            chunks.cancel();
            throw e;
        } catch (IOException e) {
            chunks.cancel();
            throw UpstreamException.of(Kind.CONNECT, label + ": the connection failed before the first chunk: "
                    + e.getMessage());
        }
    }

    static JsonNode parse(byte[] bytes) {
        try {
            JsonNode json = UpstreamJson.JSON.readTree(bytes);
            if (json != null && json.isObject()) {
                return json;
            }
        } catch (IOException ignored) {
            // reported below
        }
        throw UpstreamException.of(Kind.MALFORMED, "the upstream sent something that is not a JSON object: "
                + UpstreamException.abbreviate(new String(bytes, 0, Math.min(bytes.length, 200),
                java.nio.charset.StandardCharsets.UTF_8)));
    }

    private UpstreamException classify(IOException t) {
        return switch (t) {
            case ConnectException e -> UpstreamException.of(Kind.CONNECT, label + ": cannot connect: " + e);
            case SocketTimeoutException e -> UpstreamException.of(Kind.CONNECT, label + ": connect timed out");
            default -> UpstreamException.of(Kind.CONNECT, label + ": the connection failed before a response: " + t);
        };
    }

    private static byte[] readAll(Http1Body chunks, long deadline, int limit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] b; (b = chunks.next(deadline)) != null; ) {
            out.write(b);
            if (out.size() > limit) {
                chunks.cancel();
                break;
            }
        }
        return out.toByteArray();
    }

    /** One health probe: GET {@code path}, healthy on any 2xx within the connect timeout plus a second. */
    boolean probe(String path) {
        long deadline = System.nanoTime() + timeouts.connect().plusSeconds(1).toNanos();
        try {
            Http1Client.Response r = client.send("GET", path, apiKey == null ? Map.of()
                    : Map.of("Authorization", "Bearer " + apiKey), null, deadline);
            readAll(r.body(), deadline, MAX_ERROR_BODY);
            healthy = r.status() / 100 == 2;
        } catch (IOException | UpstreamException e) {
            healthy = false;
        }
        return healthy;
    }

    boolean available() {
        return healthy && breaker.isAvailable();
    }

    @Override
    public void close() {
        client.close();
    }
}
