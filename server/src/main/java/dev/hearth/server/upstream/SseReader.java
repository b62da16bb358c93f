package dev.hearth.server.upstream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Splits an upstream Server-Sent Events body into events and returns each event's {@code data} (lines joined with
 * {@code \n}); comments and other fields are skipped. Bytes are buffered only until a line is complete.
 */
final class SseReader {
    private final Http1Body body;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final StringBuilder data = new StringBuilder();
    private byte[] chunk = new byte[0];
    private int pos;
    private boolean hasData;

    SseReader(Http1Body body) {
        this.body = body;
    }

    /** The next event's data, or null when the body ended (a partial event at the end is dropped). */
    String next(long deadlineNanos) throws IOException {
        while (true) {
            String l = readLine(deadlineNanos);
            if (l == null) {
                return null;
            }
            if (l.isEmpty()) {
                if (hasData) {
                    String event = data.toString();
                    data.setLength(0);
                    hasData = false;
                    return event;
                }
            } else if (l.startsWith("data:")) {
                if (hasData) {
                    data.append('\n');
                }
                data.append(l, l.startsWith("data: ") ? 6 : 5, l.length());
                hasData = true;
            } else if (!l.startsWith(":") && !l.startsWith("event:") && !l.startsWith("id:")
                    && !l.startsWith("retry:")) {
                throw UpstreamException.of(UpstreamException.Kind.MALFORMED,
                        "the upstream's stream is not Server-Sent Events: " + UpstreamException.abbreviate(l));
            }
        }
    }

    private String readLine(long deadlineNanos) throws IOException {
        while (true) {
            while (pos < chunk.length) {
                byte b = chunk[pos++];
                if (b == '\n') {
                    String s = line.toString(StandardCharsets.UTF_8);
                    line.reset();
                    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
                }
                line.write(b);
                if (line.size() > 4 << 20) {
                    throw UpstreamException.of(UpstreamException.Kind.MALFORMED, "an SSE line longer than 4 MiB");
                }
            }
            byte[] next = body.next(deadlineNanos);
            if (next == null) {
                return null;
            }
            chunk = next;
            pos = 0;
        }
    }
}
