package dev.hearth.server.chat;

/**
 * Where a {@link ChatOutputParser} puts what it has made of the model's text: answer content, reasoning
 * ({@code reasoning_content}) and complete tool calls, in the order they appear.
 */
public interface OutputSink {
    void content(String text);

    void reasoning(String text);

    /** A complete, well-formed call; {@code index} counts the calls of this answer from 0. */
    void toolCall(int index, ToolCall call);
}
