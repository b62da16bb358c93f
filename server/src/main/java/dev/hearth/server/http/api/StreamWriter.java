package dev.hearth.server.http.api;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes a streamed response event by event, flushing each: Server-Sent Events as OpenAI sends them
 * ({@code data: <json>\n\n}, ending with {@code data: [DONE]}) or Ollama's NDJSON (one JSON object per line).
 * A failed write means the client went away: it surfaces as {@link ClientGoneException}.
 */
public final class StreamWriter implements AutoCloseable {
    private final OutputStream out;
    private final boolean sse;

    private StreamWriter(ServerResponse res, boolean sse) {
        this.sse = sse;
        res.status(200);
        res.header(HeaderNames.CONTENT_TYPE, sse ? "text/event-stream; charset=utf-8" : "application/x-ndjson");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        this.out = res.outputStream();
    }

    public static StreamWriter sse(ServerResponse res) {
        return new StreamWriter(res, true);
    }

    public static StreamWriter ndjson(ServerResponse res) {
        return new StreamWriter(res, false);
    }

    public void event(Object value) {
        byte[] json = Json.write(value);
        if (sse) {
            raw("data: ".getBytes(StandardCharsets.US_ASCII), json, "\n\n".getBytes(StandardCharsets.US_ASCII));
        } else {
            raw(json, new byte[] {'\n'});
        }
    }

    /**
     * An SSE comment line, which clients ignore, written only to learn whether the client is still there (a write
     * to a closed connection fails, at the latest the second one). NDJSON has no comments: nothing is written.
     */
    public void heartbeat() {
        if (sse) {
            raw(HEARTBEAT);
        }
    }

    private static final byte[] HEARTBEAT = ":\n\n".getBytes(StandardCharsets.US_ASCII);

    /** The SSE terminator {@code data: [DONE]}. */
    public void done() {
        raw("data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII));
    }

    private void raw(byte[]... parts) {
        try {
            for (byte[] part : parts) {
                out.write(part);
            }
            out.flush();
        } catch (IOException | RuntimeException e) {
            throw new ClientGoneException(e);
        }
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException | RuntimeException ignored) {
            // the client is gone; nothing to tell it
        }
    }

    /** Writing to the client failed: it disconnected. */
    public static final class ClientGoneException extends RuntimeException {
        ClientGoneException(Throwable cause) {
            super("the client disconnected", cause);
        }
    }
}
