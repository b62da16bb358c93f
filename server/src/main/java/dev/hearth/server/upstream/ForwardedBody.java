package dev.hearth.server.upstream;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The request body a remote backend gets: the client's bytes as they came, with only the {@code model} value
 * replaced in place (and {@code "stream_options":{"include_usage":true}} put first in a stream that did not ask for
 * usage, so that it can be counted). The JSON is re-encoded only where the bytes cannot be edited that simply (no
 * client bytes, a {@code model} that is not a string, {@code stream_options} present without usage).
 */
final class ForwardedBody {
    private static final byte[] USAGE_OPTION = "\"stream_options\":{\"include_usage\":true},"
            .getBytes(StandardCharsets.US_ASCII);

    private ForwardedBody() {}

    /**
     * @param raw the client's body (null when there is none: the body was built, e.g. translated from Ollama's)
     * @param body the same, parsed
     * @param askUsage add {@code stream_options.include_usage}
     */
    static byte[] of(byte[] raw, ObjectNode body, String model, boolean askUsage) {
        JsonNode current = body.get("model");
        boolean simple = raw != null && current != null && current.isTextual()
                && (!askUsage || !body.has("stream_options"));
        if (!simple) {
            return reencoded(body, model, askUsage);
        }
        byte[] replacement = null;
        long start = -1;
        long end = -1;
        if (!current.textValue().equals(model)) {
            long[] span = modelSpan(raw);
            if (span == null) {
                return reencoded(body, model, askUsage);
            }
            start = span[0];
            end = span[1];
            try {
                replacement = UpstreamJson.JSON.writeValueAsBytes(model);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        int open = askUsage ? firstBrace(raw) : -1;
        if (askUsage && open < 0) {
            return reencoded(body, model, askUsage);
        }
        int extra = (askUsage ? USAGE_OPTION.length : 0) + (replacement == null ? 0 : replacement.length
                - (int) (end - start));
        byte[] out = new byte[raw.length + extra];
        int from = 0;
        int to = 0;
        if (askUsage) {
            System.arraycopy(raw, 0, out, 0, open + 1);
            System.arraycopy(USAGE_OPTION, 0, out, open + 1, USAGE_OPTION.length);
            from = open + 1;
            to = open + 1 + USAGE_OPTION.length;
        }
        if (replacement != null) {
            int n = (int) start - from;
            System.arraycopy(raw, from, out, to, n);
            to += n;
            System.arraycopy(replacement, 0, out, to, replacement.length);
            to += replacement.length;
            from = (int) end;
        }
        System.arraycopy(raw, from, out, to, raw.length - from);
        return out;
    }

    private static byte[] reencoded(ObjectNode body, String model, boolean askUsage) {
        ObjectNode upstream = body.deepCopy();
        upstream.put("model", model);
        if (askUsage) {
            upstream.putObject("stream_options").put("include_usage", true);
        }
        try {
            return UpstreamJson.JSON.writeValueAsBytes(upstream);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Byte offsets of the top-level {@code model} string value (its quotes included; the last one wins). */
    static long[] modelSpan(byte[] raw) {
        try (JsonParser p = UpstreamJson.JSON.getFactory().createParser(raw)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            long[] span = null;
            for (JsonToken t; (t = p.nextToken()) == JsonToken.FIELD_NAME; ) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("model") && value == JsonToken.VALUE_STRING) {
                    long start = p.currentTokenLocation().getByteOffset();
                    p.getText(); // reads the string to its closing quote
                    span = new long[] {start, p.currentLocation().getByteOffset()};
                } else {
                    p.skipChildren();
                }
            }
            return span;
        } catch (IOException e) {
            return null;
        }
    }

    private static int firstBrace(byte[] raw) {
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == '{') {
                return i;
            }
            if (raw[i] != ' ' && raw[i] != '\t' && raw[i] != '\r' && raw[i] != '\n') {
                return -1;
            }
        }
        return -1;
    }
}
