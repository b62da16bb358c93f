package dev.hearth.server.chat;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Mistral (v0.3 style): {@code [TOOL_CALLS] [{"name": ..., "arguments": {...}}, ...]} to the end of the answer.
 * Text before the marker stays content; a list that does not parse is given back as content.
 */
final class MistralToolCallParser extends ToolCallParser {
    static final String MARKER = "[TOOL_CALLS]";
    private final StringBuilder buffer = new StringBuilder();
    private boolean inCalls;

    MistralToolCallParser(Set<String> allowedNames) {
        super(allowedNames);
    }

    @Override
    public void push(String delta, OutputSink out) {
        buffer.append(delta);
        if (inCalls) {
            return;
        }
        int at = buffer.indexOf(MARKER);
        if (at < 0) {
            int safe = buffer.length() - Markers.partialSuffix(buffer, MARKER);
            content(buffer.substring(0, safe), out);
            buffer.delete(0, safe);
            return;
        }
        content(buffer.substring(0, at), out);
        buffer.delete(0, at + MARKER.length());
        inCalls = true;
    }

    @Override
    public void finish(OutputSink out) {
        String rest = buffer.toString();
        buffer.setLength(0);
        if (!inCalls) {
            content(rest, out);
            return;
        }
        Optional<List<ToolCall>> calls = ToolCallJson.list(rest, allowedNames);
        if (calls.isPresent()) {
            calls(calls.get(), out);
        } else {
            content(MARKER + rest, out);
        }
    }
}
