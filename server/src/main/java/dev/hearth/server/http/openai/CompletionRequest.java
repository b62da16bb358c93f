package dev.hearth.server.http.openai;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/** {@code POST /v1/completions} (legacy text completions). {@code prompt} is a string or a one-string array. */
public record CompletionRequest(String model, JsonNode prompt, Integer maxTokens, Double temperature, Double topP,
        Integer topK, Double minP, Double repeatPenalty, Integer n, JsonNode stop, Long seed, Double presencePenalty,
        Double frequencyPenalty, Map<String, Double> logitBias, Integer logprobs, Boolean echo, String suffix,
        Integer bestOf, String user, Boolean stream, ChatCompletionRequest.StreamOptions streamOptions,
        String grammar) {}
