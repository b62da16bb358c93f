package dev.hearth.server.http.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** One SSE event of a streamed chat completion ({@code object: chat.completion.chunk}). */
public record ChatCompletionChunk(String id, String object, long created, String model,
        @JsonInclude(JsonInclude.Include.ALWAYS) String systemFingerprint, List<Choice> choices, Usage usage) {

    /** {@code finish_reason} and {@code logprobs} are sent as null until they have a value, as OpenAI does. */
    public record Choice(int index, Delta delta,
            @JsonInclude(JsonInclude.Include.ALWAYS) ChatCompletion.Logprobs logprobs,
            @JsonInclude(JsonInclude.Include.ALWAYS) String finishReason) {}

    /**
     * The first chunk carries the role; later ones content, reasoning or tool calls; the last one is empty.
     */
    public record Delta(String role, String content, String reasoningContent, List<ToolCallDelta> toolCalls) {
        public Delta(String role, String content) {
            this(role, content, null, null);
        }
    }

    /**
     * A call's first chunk has its index, id, type, name and empty arguments; later chunks the index and a
     * fragment of the arguments.
     */
    public record ToolCallDelta(int index, String id, String type, ChatCompletion.Function function) {}
}
