package dev.hearth.server.http.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** The non-streamed answer of {@code /v1/chat/completions} ({@code object: chat.completion}). */
public record ChatCompletion(String id, String object, long created, String model,
        @JsonInclude(JsonInclude.Include.ALWAYS) String systemFingerprint, List<Choice> choices, Usage usage) {

    public record Choice(int index, Message message, @JsonInclude(JsonInclude.Include.ALWAYS) Logprobs logprobs,
            String finishReason) {}

    /**
     * {@code content} is null when the answer is only tool calls; {@code reasoning_content} (DeepSeek's name, read
     * by most clients) holds a reasoning model's thought.
     */
    public record Message(String role, @JsonInclude(JsonInclude.Include.ALWAYS) String content,
            @JsonInclude(JsonInclude.Include.ALWAYS) String refusal, String reasoningContent,
            List<ToolCall> toolCalls) {
        public Message(String role, String content, String refusal) {
            this(role, content, refusal, null, null);
        }
    }

    /** {@code {"id": "call_...", "type": "function", "function": {"name", "arguments"}}}. */
    public record ToolCall(String id, String type, Function function) {
        public static ToolCall of(dev.hearth.server.chat.ToolCall call) {
            return new ToolCall(call.id(), "function", new Function(call.name(), call.arguments()));
        }
    }

    public record Function(String name, String arguments) {}

    /** {@code {"content": [...]}}: one entry per generated token. */
    public record Logprobs(List<TokenLogprob> content) {}

    public record TokenLogprob(String token, double logprob, int[] bytes, List<TopLogprob> topLogprobs) {}

    public record TopLogprob(String token, double logprob, int[] bytes) {}
}
