package dev.hearth.server.http.openai;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /v1/chat/completions}. Fields that OpenAI lets take several shapes ({@code content}, {@code stop},
 * {@code tool_choice}) stay {@link JsonNode}s and are checked by {@link OpenAiParams}. {@code top_k}, {@code min_p}
 * and {@code repeat_penalty} are llama.cpp-style extensions, and so is {@code grammar} (a GBNF grammar the answer
 * must match).
 */
public record ChatCompletionRequest(String model, List<Message> messages, Integer maxTokens,
        Integer maxCompletionTokens, Double temperature, Double topP, Integer topK, Double minP, Double repeatPenalty,
        Integer n, JsonNode stop, Long seed, Double presencePenalty, Double frequencyPenalty,
        Map<String, Double> logitBias, Boolean logprobs, Integer topLogprobs, String user,
        ResponseFormat responseFormat, List<Tool> tools, JsonNode toolChoice, Boolean stream,
        StreamOptions streamOptions, String grammar) {

    /** One input message; {@code content} is a string, an array of content parts, or null. */
    public record Message(String role, JsonNode content, String name, List<ToolCall> toolCalls, String toolCallId) {}

    public record ToolCall(String id, String type, FunctionCall function) {}

    public record FunctionCall(String name, String arguments) {}

    /** {@code {"type": "function", "function": {"name", "description", "parameters"}}}. */
    public record Tool(String type, Map<String, Object> function) {}

    public record ResponseFormat(String type, JsonNode jsonSchema) {}

    public record StreamOptions(Boolean includeUsage) {}
}
