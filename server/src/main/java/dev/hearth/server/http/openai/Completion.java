package dev.hearth.server.http.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/** The answer of {@code /v1/completions}, streamed or not ({@code object: text_completion}). */
public record Completion(String id, String object, long created, String model,
        @JsonInclude(JsonInclude.Include.ALWAYS) String systemFingerprint, List<Choice> choices, Usage usage) {

    public record Choice(String text, int index, @JsonInclude(JsonInclude.Include.ALWAYS) Logprobs logprobs,
            @JsonInclude(JsonInclude.Include.ALWAYS) String finishReason) {}

    /** The legacy logprobs shape: parallel lists. */
    public record Logprobs(List<String> tokens, List<Double> tokenLogprobs, List<Map<String, Double>> topLogprobs,
            List<Integer> textOffset) {}
}
