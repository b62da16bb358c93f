package dev.hearth.server.chat;

import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * How one model writes its answers: its tool-call markup and whether it reasons in {@code <think>} blocks. Makes
 * a fresh {@link ChatOutputParser} per answer.
 *
 * @param reasoning the template or vocabulary has {@code <think>} (Qwen3, DeepSeek-R1 distills)
 */
public record ChatOutputFormat(ToolCallFormat toolCalls, boolean reasoning) {
    /** Plain text: nothing parsed. */
    public static final ChatOutputFormat PLAIN = new ChatOutputFormat(ToolCallFormat.NONE, false);

    /** The markers whose tokens must be written out in the answer text for the parsers to see them. */
    public static final List<String> MARKERS = List.of(QwenToolCallParser.OPEN, QwenToolCallParser.CLOSE,
            LlamaToolCallParser.PYTHON_TAG, MistralToolCallParser.MARKER, ReasoningParser.OPEN, ReasoningParser.CLOSE);

    public static ChatOutputFormat detect(String template, Predicate<String> hasToken) {
        String t = template == null ? "" : template;
        boolean think = t.contains(ReasoningParser.OPEN) || hasToken.test(ReasoningParser.OPEN)
                && hasToken.test(ReasoningParser.CLOSE);
        return new ChatOutputFormat(ToolCallFormat.detect(t, hasToken), think);
    }

    /**
     * A parser for one answer.
     *
     * @param toolNames the functions offered; empty means tools are off (no call parsing)
     * @param prompt the rendered prompt (a prompt ending in {@code <think>} starts the answer inside reasoning)
     */
    public ChatOutputParser newParser(Set<String> toolNames, String prompt) {
        TextStage last = toolNames.isEmpty() ? null : toolCalls.newParser(toolNames);
        TextStage stage = last != null ? last : new PlainStage();
        if (reasoning) {
            stage = new ReasoningParser(stage, prompt != null && prompt.stripTrailing().endsWith(ReasoningParser.OPEN));
        }
        return new ChatOutputParser(stage);
    }

    /** Content as is. */
    private static final class PlainStage implements TextStage {
        @Override
        public void push(String delta, OutputSink out) {
            if (!delta.isEmpty()) {
                out.content(delta);
            }
        }

        @Override
        public void finish(OutputSink out) {}
    }
}
