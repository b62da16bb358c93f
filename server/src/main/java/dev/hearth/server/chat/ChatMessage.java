package dev.hearth.server.chat;

import java.util.List;

/**
 * One message of a conversation, as chat templates see it.
 *
 * @param role       system, user, assistant or tool
 * @param content    the text (may be empty, e.g. an assistant turn that only calls tools)
 * @param toolCalls  calls an assistant turn made (empty otherwise)
 * @param toolCallId for a tool result: the id of the call it answers (or null)
 * @param name       for a tool result: the function's name (or null)
 */
public record ChatMessage(String role, String content, List<ToolCall> toolCalls, String toolCallId, String name) {

    public ChatMessage {
        if (role == null || role.isBlank()) {
            throw new IllegalArgumentException("message role is missing");
        }
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    }

    public static ChatMessage system(String content) {
        return new ChatMessage("system", content, List.of(), null, null);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage("user", content, List.of(), null, null);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", content, List.of(), null, null);
    }

    public static ChatMessage assistant(String content, List<ToolCall> toolCalls) {
        return new ChatMessage("assistant", content, toolCalls, null, null);
    }

    public static ChatMessage tool(String toolCallId, String name, String content) {
        return new ChatMessage("tool", content, List.of(), toolCallId, name);
    }
}
