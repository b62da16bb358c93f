package dev.hearth.server.http.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** The non-streamed answer of {@code /v1/chat/completions} ({@code object: chat.completion}). */
public record ChatCompletion(String id, String object, long created, String model,
        @JsonInclude(JsonInclude.Include.ALWAYS) String systemFingerprint, List<Choice> choices, Usage usage) {

    public record Choice(int index, Message message, @JsonInclude(JsonInclude.Include.ALWAYS) Logprobs logprobs,
            String finishReason) {}

    public record Message(String role, @JsonInclude(JsonInclude.Include.ALWAYS) String content,
            @JsonInclude(JsonInclude.Include.ALWAYS) String refusal) {}

    /** {@code {"content": [...]}}: one entry per generated token. */
    public record Logprobs(List<TokenLogprob> content) {}

    public record TokenLogprob(String token, double logprob, int[] bytes, List<TopLogprob> topLogprobs) {}

    public record TopLogprob(String token, double logprob, int[] bytes) {}
}
