package dev.hearth.server.chat;

/**
 * A function call made by the assistant (OpenAI shape).
 *
 * @param id        the call id, e.g. {@code call_0001}
 * @param name      the function name
 * @param arguments the arguments as JSON text, as OpenAI clients send them
 */
public record ToolCall(String id, String name, String arguments) {
    public ToolCall {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("tool call function name is missing");
        }
        arguments = arguments == null ? "{}" : arguments;
    }
}
