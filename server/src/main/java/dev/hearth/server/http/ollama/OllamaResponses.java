package dev.hearth.server.http.ollama;

import dev.hearth.server.backend.ModelInfo;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Ollama's response bodies (durations in nanoseconds, as Ollama reports them). */
public final class OllamaResponses {
    private OllamaResponses() {}

    public record ChatChunk(String model, String createdAt, Message message, boolean done, String doneReason,
            Long totalDuration, Long loadDuration, Integer promptEvalCount, Long promptEvalDuration,
            Integer evalCount, Long evalDuration) {}

    public record GenerateChunk(String model, String createdAt, String response, boolean done, String doneReason,
            Long totalDuration, Long loadDuration, Integer promptEvalCount, Long promptEvalDuration,
            Integer evalCount, Long evalDuration) {}

    /** {@code thinking}: a reasoning model's thought; {@code tool_calls}: calls with arguments as objects. */
    public record Message(String role, String content, String thinking, List<ToolCall> toolCalls) {
        public Message(String role, String content) {
            this(role, content, null, null);
        }
    }

    public record ToolCall(Function function) {}

    public record Function(int index, String name, Map<String, Object> arguments) {}

    public record Details(String parentModel, String format, String family, List<String> families,
            String parameterSize, String quantizationLevel) {
        static Details of(ModelInfo m) {
            return new Details("", "gguf", m.architecture(), List.of(m.architecture()), OllamaResponses.parameterSize(m),
                    m.quantization());
        }
    }

    public record Tag(String name, String model, String modifiedAt, long size, String digest, Details details) {}

    public record Tags(List<Tag> models) {}

    public record Running(String name, String model, long size, String digest, Details details, String expiresAt,
            long sizeVram, int contextLength) {}

    public record Ps(List<Running> models) {}

    public record Show(String modelfile, String parameters, String template, Details details,
            Map<String, Object> modelInfo, List<String> capabilities) {}

    public record Version(String version) {}

    static String parameterSize(ModelInfo m) {
        long n = m.parameterCount();
        if (n <= 0) {
            return "";
        }
        return n >= 1_000_000_000 ? String.format(Locale.ROOT, "%.1fB", n / 1e9)
                : String.format(Locale.ROOT, "%.1fM", n / 1e6);
    }
}
