package dev.hearth.server.chat;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Qwen 2.5 / Qwen3 (Hermes style): each call is {@code <tool_call>\n{"name": ..., "arguments": {...}}\n</tool_call>},
 * possibly several in a row, possibly after some text. An unclosed call at the end is accepted when its JSON is
 * complete.
 */
final class QwenToolCallParser extends ToolCallParser {
    static final String OPEN = "<tool_call>";
    static final String CLOSE = "</tool_call>";
    private final StringBuilder buffer = new StringBuilder();
    private boolean inCall;

    QwenToolCallParser(Set<String> allowedNames) {
        super(allowedNames);
    }

    @Override
    public void push(String delta, OutputSink out) {
        buffer.append(delta);
        while (true) {
            if (!inCall) {
                int at = buffer.indexOf(OPEN);
                if (at < 0) {
                    int safe = buffer.length() - Markers.partialSuffix(buffer, OPEN);
                    content(buffer.substring(0, safe), out);
                    buffer.delete(0, safe);
                    return;
                }
                content(buffer.substring(0, at), out);
                buffer.delete(0, at + OPEN.length());
                inCall = true;
            } else {
                int at = buffer.indexOf(CLOSE);
                if (at < 0) {
                    return;
                }
                String body = buffer.substring(0, at);
                buffer.delete(0, at + CLOSE.length());
                inCall = false;
                Optional<ToolCall> call = ToolCallJson.one(body, allowedNames);
                if (call.isPresent()) {
                    calls(List.of(call.get()), out);
                } else {
                    content(OPEN + body + CLOSE, out);
                }
            }
        }
    }

    @Override
    public void finish(OutputSink out) {
        String rest = buffer.toString();
        buffer.setLength(0);
        if (!inCall) {
            content(rest, out);
            return;
        }
        inCall = false;
        Optional<ToolCall> call = ToolCallJson.one(rest, allowedNames);
        if (call.isPresent()) {
            calls(List.of(call.get()), out);
        } else {
            content(OPEN + rest, out);
        }
    }
}
