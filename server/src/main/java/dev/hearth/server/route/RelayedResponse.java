package dev.hearth.server.route;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.engine.FinishReason;
import dev.hearth.engine.GenerationEvent;
import dev.hearth.server.agents.AgentCall;
import dev.hearth.server.route.config.BackendConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A remote answer ready to go to the client: a whole JSON body, or an SSE stream whose first chunk has arrived.
 * {@link #writeTo} relays it chunk by chunk as it comes (each flushed), counts usage and cost, and never switches
 * backends: if the upstream fails midway, the client gets an error event and no {@code [DONE]}.
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
    private long promptTokens;
    private long completionTokens;
    private long firstByteNanos;

    RelayedResponse(long requestId, String target, UpstreamNode.Opened opened, boolean dropUsageChunk,
            BackendConfig.Prices prices, RouteMetrics metrics) {
        this.requestId = requestId;
        this.target = target;
        this.opened = opened;
        this.dropUsageChunk = dropUsageChunk;
        this.prices = prices;
        this.metrics = metrics;
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

    /**
     * Relays the answer. Throws {@link IOException} only when writing to the client fails (it went away); the
     * upstream exchange is aborted then.
     */
    public void writeTo(OutputStream out) throws IOException, InterruptedException {
        UpstreamNode node = opened.node();
        boolean upstreamFailed = false;
        try {
            if (!opened.stream()) {
                usage(UpstreamNode.parse(opened.body()));
                metrics.firstByte(target, seconds());
                firstByteNanos = System.nanoTime() - opened.startNanos();
                out.write(opened.body());
                out.flush();
                return;
            }
            String event = opened.firstEvent();
            metrics.firstByte(target, seconds());
            firstByteNanos = System.nanoTime() - opened.startNanos();
            while (event != null) {
                if (event.equals("[DONE]")) {
                    write(out, event);
                    metrics.event(requestId, target, "stream complete");
                    return;
                }
                JsonNode chunk = UpstreamNode.parse(event.getBytes(StandardCharsets.UTF_8));
                boolean usageOnly = chunk.hasNonNull("usage") && chunk.path("choices").isEmpty();
                usage(chunk);
                if (!(usageOnly && dropUsageChunk)) {
                    write(out, event);
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
        } catch (UpstreamException e) {
            upstreamFailed = true;
            node.breaker.onFailure();
            metrics.error(target, "midstream_" + e.kind().name().toLowerCase());
            metrics.event(requestId, target, "failed midway: " + e.getMessage() + "; the stream ends with an error");
            String error = "{\"error\":{\"message\":" + UpstreamNode.JSON.writeValueAsString(
                    "the upstream failed midway: " + e.getMessage()) + ",\"type\":\"server_error\",\"param\":null,"
                    + "\"code\":\"upstream_failed\"}}";
            write(out, error);
        } finally {
            opened.chunks().cancel();
            node.outstanding.decrementAndGet();
            metrics.done(target, seconds());
            if (!upstreamFailed) {
                metrics.usage(target, promptTokens, completionTokens, prices.cost(promptTokens, completionTokens));
            }
            // the caller's ledger counts relayed tokens as it counts local ones
            long total = System.nanoTime() - opened.startNanos();
            AgentCall.generationDone(target, new GenerationEvent.Done(upstreamFailed ? FinishReason.ERROR
                    : FinishReason.STOP, "", (int) promptTokens, (int) completionTokens, firstByteNanos, total,
                    upstreamFailed ? "the upstream failed midway" : null));
        }
    }

    private void usage(JsonNode json) {
        JsonNode u = json.get("usage");
        if (u != null && u.isObject()) {
            promptTokens = u.path("prompt_tokens").asLong(promptTokens);
            completionTokens = u.path("completion_tokens").asLong(completionTokens);
        }
    }

    private static void write(OutputStream out, String event) throws IOException {
        out.write(DATA);
        out.write(event.getBytes(StandardCharsets.UTF_8));
        out.write(END);
        out.flush();
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
