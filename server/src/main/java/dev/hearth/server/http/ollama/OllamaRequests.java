package dev.hearth.server.http.ollama;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/** Ollama's request bodies. {@code stream} defaults to true, as in Ollama. */
public final class OllamaRequests {
    private OllamaRequests() {}

    public record Chat(String model, List<Message> messages, Boolean stream, JsonNode format, Options options,
            JsonNode keepAlive, List<Map<String, Object>> tools, Boolean think) {}

    public record Generate(String model, String prompt, String suffix, String system, String template, Boolean raw,
            Boolean stream, JsonNode format, Options options, JsonNode keepAlive, List<String> images) {}

    public record Message(String role, String content, List<String> images, List<ToolCall> toolCalls,
            String toolName) {}

    public record ToolCall(Function function) {}

    public record Function(String name, Map<String, Object> arguments) {}

    /** The subset of Ollama's {@code options} a request may set. */
    public record Options(Integer numPredict, Double temperature, Integer topK, Double topP, Double minP,
            Double repeatPenalty, Double presencePenalty, Double frequencyPenalty, Long seed, List<String> stop,
            Integer numCtx) {}

    /** {@code /api/show}: Ollama accepts {@code model}, and {@code name} from older clients. */
    public record Show(String model, String name) {}

    public record Embed(String model, JsonNode input) {}
}
