package dev.hearth.server.backend;

import java.util.List;

/**
 * One conversation turn as a backend sees it, whatever API it came from.
 *
 * @param role system, user, assistant or tool
 * @param content the text (text content parts already joined)
 * @param toolCalls calls an assistant turn made (empty otherwise)
 * @param toolCallId for a tool result: the call it answers (or null)
 * @param name for a tool result: the function's name (or null)
 */
public record PromptMessage(String role, String content, List<ToolCallSpec> toolCalls, String toolCallId,
        String name) {

    public PromptMessage {
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
        content = content == null ? "" : content;
    }

    public static PromptMessage of(String role, String content) {
        return new PromptMessage(role, content, List.of(), null, null);
    }

    /** A function call made by an assistant turn; {@code arguments} is JSON text as OpenAI clients send it. */
    public record ToolCallSpec(String id, String name, String arguments) {}
}
