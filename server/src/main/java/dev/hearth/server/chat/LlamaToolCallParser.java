package dev.hearth.server.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Llama 3.1 / 3.2: a call is the whole answer as JSON, {@code {"name": ..., "parameters": {...}}} (several may be
 * separated by {@code ;}), or follows {@code <|python_tag|>}. An answer that starts with {@code {} is held back to
 * its end, then given back as content when it is not a call.
 */
final class LlamaToolCallParser extends ToolCallParser {
    static final String PYTHON_TAG = "<|python_tag|>";
    private final StringBuilder buffer = new StringBuilder();
    private State state = State.START;

    private enum State { START, TEXT, JSON, TAGGED }

    LlamaToolCallParser(Set<String> allowedNames) {
        super(allowedNames);
    }

    @Override
    public void push(String delta, OutputSink out) {
        buffer.append(delta);
        if (state == State.START) {
            int first = Markers.firstNonSpace(buffer);
            if (first == buffer.length()) {
                return;
            }
            if (buffer.charAt(first) == '{') {
                state = State.JSON;
            } else {
                state = State.TEXT;
            }
        }
        if (state == State.TEXT) {
            int at = buffer.indexOf(PYTHON_TAG);
            if (at < 0) {
                int safe = buffer.length() - Markers.partialSuffix(buffer, PYTHON_TAG);
                content(buffer.substring(0, safe), out);
                buffer.delete(0, safe);
                return;
            }
            content(buffer.substring(0, at), out);
            buffer.delete(0, at + PYTHON_TAG.length());
            state = State.TAGGED;
        }
    }

    @Override
    public void finish(OutputSink out) {
        String rest = buffer.toString();
        buffer.setLength(0);
        switch (state) {
            case START, TEXT -> content(rest, out);
            case JSON, TAGGED -> {
                Optional<List<ToolCall>> calls = parse(rest);
                if (calls.isPresent()) {
                    calls(calls.get(), out);
                } else {
                    content(state == State.TAGGED ? PYTHON_TAG + rest : rest, out);
                }
            }
        }
        state = State.TEXT;
    }

    /** One call object, or several separated by {@code ;}, or a JSON array of them. */
    private Optional<List<ToolCall>> parse(String text) {
        Optional<List<ToolCall>> whole = ToolCallJson.list(text, allowedNames);
        if (whole.isPresent()) {
            return whole;
        }
        List<ToolCall> calls = new ArrayList<>();
        for (String part : text.split(";")) {
            if (part.isBlank()) {
                continue;
            }
            Optional<ToolCall> call = ToolCallJson.one(part, allowedNames);
            if (call.isEmpty()) {
                return Optional.empty();
            }
            calls.add(call.get());
        }
        return calls.isEmpty() ? Optional.empty() : Optional.of(calls);
    }
}
