package dev.hearth.server.chat;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits one streamed answer into content, reasoning and tool calls, delta by delta ({@link #push}), or whole
 * ({@link #parse}). Whatever way the text is cut into deltas, the parts joined are the same. One per answer.
 */
public final class ChatOutputParser {
    private final TextStage stage;
    private boolean finished;

    ChatOutputParser(TextStage stage) {
        this.stage = stage;
    }

    public void push(String delta, OutputSink out) {
        if (finished) {
            throw new IllegalStateException("the answer was already finished");
        }
        if (!delta.isEmpty()) {
            stage.push(delta, out);
        }
    }

    public void finish(OutputSink out) {
        if (!finished) {
            finished = true;
            stage.finish(out);
        }
    }

    /** The whole answer, parsed. */
    public Parsed parse(String text) {
        Parsed parsed = new Parsed();
        push(text, parsed);
        finish(parsed);
        return parsed;
    }

    /** Everything an answer held: content and reasoning joined, calls in order. */
    public static final class Parsed implements OutputSink {
        private final StringBuilder content = new StringBuilder();
        private final StringBuilder reasoning = new StringBuilder();
        private final List<ToolCall> toolCalls = new ArrayList<>();

        @Override
        public void content(String text) {
            content.append(text);
        }

        @Override
        public void reasoning(String text) {
            reasoning.append(text);
        }

        @Override
        public void toolCall(int index, ToolCall call) {
            toolCalls.add(call);
        }

        public String content() {
            return content.toString();
        }

        /** The reasoning, or null when there was none. */
        public String reasoning() {
            return reasoning.isEmpty() ? null : reasoning.toString();
        }

        public List<ToolCall> toolCalls() {
            return List.copyOf(toolCalls);
        }
    }
}
