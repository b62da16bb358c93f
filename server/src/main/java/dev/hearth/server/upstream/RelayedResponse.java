package dev.hearth.server.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.engine.FinishReason;
import dev.hearth.engine.GenerationEvent;
import dev.hearth.server.metrics.RouteMetrics;
import dev.hearth.server.config.BackendConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * A remote answer ready to go to the client: a whole JSON body, or an SSE stream whose first chunk has arrived.
 * {@link #writeTo} relays it chunk by chunk as it comes (flushed whenever the next chunk is not there yet), or
 * {@link #relay} hands the chunks to a translator; usage and cost are counted, and backends are never switched: if
 * the upstream fails midway, the client gets an error event and no {@code [DONE]}; if the server's shutdown ends the
 * stream ({@link #stop}), an error event and {@code [DONE]}, as local streams get. Read it once, whole or relayed.
 */
public final class RelayedResponse {
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);

    private final long requestId;
    private final String target;
    private final UpstreamNode.Opened opened;
    private final boolean dropUsageChunk;
    private final BackendConfig.Prices prices;
    private final RouteMetrics metrics;
    private final LiveRelays live;
    /** This response as the live relays hold it while it streams (one object, so that remove finds what add put). */
    private final LiveRelays.Relay asRelay = this::stop;
    private volatile String stopReason;
    private long promptTokens;
    private long completionTokens;
    private long firstByteNanos;
    private volatile GenerationEvent.Done done;

    RelayedResponse(long requestId, String target, UpstreamNode.Opened opened, boolean dropUsageChunk,
            BackendConfig.Prices prices, RouteMetrics metrics, LiveRelays live) {
        this.live = live;
        this.requestId = requestId;
        this.target = target;
        this.opened = opened;
        this.dropUsageChunk = dropUsageChunk;
        this.prices = prices;
        this.metrics = metrics;
    }

    /**
     * The relayed answer as one finished generation (its usage, timings, and ERROR when the upstream failed
     * midway), once it has been read or relayed; null before.
     */
    public GenerationEvent.Done done() {
        return done;
    }

    /** {@code backend/model} (or {@code backend.N/model}) that serves this answer. */
    public String target() {
        return target;
    }

    public boolean stream() {
        return opened.stream();
    }

    /** The body's length for a whole JSON answer (-1 for a stream). */
    public long contentLength() {
        return opened.stream() ? -1 : opened.body().length;
    }

    public String contentType() {
        return opened.stream() ? "text/event-stream; charset=utf-8" : "application/json";
    }

    /** Where a relayed stream's chunks go: written as they are (SSE) or translated (Ollama's NDJSON). */
    public interface ChunkSink {
        /** One chunk of the upstream's stream: its JSON text as received, and parsed. */
        void chunk(String data, JsonNode json) throws IOException;

        /** The upstream's {@code [DONE]}: the answer is complete. */
        void done() throws IOException;

        /** The upstream failed midway ({@code message} says how); the stream ends after this. */
        void failed(String message) throws IOException;

        /** Called before waiting on the upstream: whatever the sink holds back goes to the client now. */
        void flush() throws IOException;

        /** The server ended the stream ({@code message} says why, e.g. its shutdown); the stream ends after this. */
        default void stopped(String message) throws IOException {
            failed(message);
        }
    }

    /**
     * Ends this stream from another thread (the server's shutdown): the upstream connection is closed, and the
     * relaying thread ends the client's stream with {@code reason} as its error.
     */
    void stop(String reason) {
        stopReason = reason;
        opened.chunks().abort();
    }

    /** A whole (non-streamed) answer, parsed; the exchange is finished and counted. */
    public JsonNode answer() {
        byte[] body = body();
        return UpstreamNode.parse(body);
    }

    /** A whole (non-streamed) answer's bytes as the upstream sent them; the exchange is finished and counted. */
    public byte[] body() {
        if (opened.stream()) {
            throw new IllegalStateException("a streamed answer has no whole body");
        }
        try {
            usage(UpstreamNode.parse(opened.body()));
            metrics.firstByte(target, seconds());
            firstByteNanos = System.nanoTime() - opened.startNanos();
            return opened.body();
        } finally {
            finish(false);
        }
    }

    /**
     * Relays the answer as OpenAI's SSE (or the whole JSON body). Throws {@link IOException} only when writing to
     * the client fails (it went away); the upstream exchange is aborted then.
     */
    public void writeTo(OutputStream out) throws IOException {
        if (!opened.stream()) {
            out.write(body());
            out.flush();
            return;
        }
        relay(new ChunkSink() {
            @Override
            public void chunk(String data, JsonNode json) throws IOException {
                write(out, data);
            }

            @Override
            public void done() throws IOException {
                write(out, "[DONE]"); // the caller's close sends it, with the end of the response
            }

            @Override
            public void failed(String message) throws IOException {
                write(out, error(message, "upstream_failed"));
                out.flush();
            }

            @Override
            public void stopped(String message) throws IOException {
                write(out, error(message, "shutting_down"));
                write(out, "[DONE]");  // clients waiting for the terminator stop here, as on a local stream
                out.flush();
            }

            @Override
            public void flush() throws IOException {
                out.flush();
            }
        });
    }

    /**
     * Relays a streamed answer chunk by chunk to {@code sink}: chunks already received go together, and the sink is
     * flushed whenever the next one has to be waited for. Throws {@link IOException} only when the sink fails (the
     * client went away); the upstream exchange is aborted then.
     */
    public void relay(ChunkSink sink) throws IOException {
        if (!opened.stream()) {
            throw new IllegalStateException("a whole answer is not relayed chunk by chunk");
        }
        boolean upstreamFailed = false;
        boolean complete = false;
        Http1Body body = opened.chunks();
        live.add(asRelay);
        body.beforeWait(() -> {
            try {
                sink.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try {
            String event = opened.firstEvent();
            metrics.firstByte(target, seconds());
            firstByteNanos = System.nanoTime() - opened.startNanos();
            while (event != null) {
                if (event.equals("[DONE]")) {
                    complete = true;
                    sink.done();
                    metrics.event(requestId, target, "stream complete");
                    return;
                }
                JsonNode chunk = UpstreamNode.parse(event.getBytes(StandardCharsets.UTF_8));
                boolean usageOnly = chunk.hasNonNull("usage") && chunk.path("choices").isEmpty();
                usage(chunk);
                if (!(usageOnly && dropUsageChunk)) {
                    sink.chunk(event, chunk);
                }
                try {
                    event = opened.events().next(opened.totalDeadlineNanos());
                } catch (IOException e) {
                    throw UpstreamException.of(UpstreamException.Kind.CONNECT, target + ": the connection failed"
                            + " midway: " + e.getMessage());
                }
            }
            throw UpstreamException.of(UpstreamException.Kind.MALFORMED, target + ": the stream ended without"
                    + " [DONE]");
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (UpstreamException e) {
            if (stopReason != null) {  // not the upstream's fault: the server ended the stream
                metrics.event(requestId, target, "ended by the server: " + stopReason);
                body.beforeWait(null);
                sink.stopped(stopReason);
                return;
            }
            upstreamFailed = true;
            opened.node().breaker.onFailure();
            metrics.error(target, "midstream_" + e.kind().name().toLowerCase());
            metrics.event(requestId, target, "failed midway: " + e.getMessage() + "; the stream ends with an error");
            body.beforeWait(null);
            sink.failed("the upstream failed midway: " + e.getMessage());
        } finally {
            live.remove(asRelay);
            body.beforeWait(null);
            if (complete) {
                body.release();
            } else {
                body.cancel();
            }
            finish(upstreamFailed);
        }
    }

    private void finish(boolean upstreamFailed) {
        opened.node().outstanding.decrementAndGet();
        metrics.done(target, seconds());
        if (!upstreamFailed) {
            metrics.usage(target, promptTokens, completionTokens, prices.cost(promptTokens, completionTokens));
        }
        // the caller's ledger counts relayed tokens as it counts local ones (the handler reports done())
        long total = System.nanoTime() - opened.startNanos();
        done = new GenerationEvent.Done(upstreamFailed ? FinishReason.ERROR
                : FinishReason.STOP, "", (int) promptTokens, (int) completionTokens, firstByteNanos, total,
                upstreamFailed ? "the upstream failed midway" : null);
    }

    private void usage(JsonNode json) {
        JsonNode u = json.get("usage");
        if (u != null && u.isObject()) {
            promptTokens = u.path("prompt_tokens").asLong(promptTokens);
            completionTokens = u.path("completion_tokens").asLong(completionTokens);
        }
    }

    private static String error(String message, String code) throws IOException {
        return "{\"error\":{\"message\":" + UpstreamJson.JSON.writeValueAsString(message)
                + ",\"type\":\"server_error\",\"param\":null,\"code\":\"" + code + "\"}}";
    }

    private static void write(OutputStream out, String event) throws IOException {
        out.write(DATA);
        out.write(event.getBytes(StandardCharsets.UTF_8));
        out.write(END);
    }

    private double seconds() {
        return (System.nanoTime() - opened.startNanos()) / 1e9;
    }

    /** Usage the upstream reported (zero when it reported none). */
    public long promptTokens() {
        return promptTokens;
    }

    public long completionTokens() {
        return completionTokens;
    }
}
