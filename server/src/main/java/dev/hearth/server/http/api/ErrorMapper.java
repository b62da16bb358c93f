package dev.hearth.server.http.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import dev.hearth.engine.ContextLengthExceededException;
import dev.hearth.engine.EngineOverloadedException;
import dev.hearth.server.agents.QuotaExceededException;
import dev.hearth.server.chat.ChatTemplateException;
import dev.hearth.server.hub.HubException;
import dev.hearth.server.hub.ModelNotFoundException;
import dev.hearth.engine.EngineFailedException;
import dev.hearth.server.backend.GenerationFailedException;
import dev.hearth.server.backend.InsufficientMemoryException;
import dev.hearth.server.backend.ModelState;
import dev.hearth.server.backend.ModelUnavailableException;
import dev.hearth.server.backend.InvalidRequestException;
import dev.hearth.server.backend.UnknownModelException;
import dev.hearth.server.backend.UnsupportedFeatureException;
import dev.hearth.server.upstream.UpstreamException;
import java.lang.System.Logger.Level;
import java.util.Map;

/**
 * The one place where exceptions become API errors, and the two shapes they are written in: OpenAI's
 * {@code {"error": {"message", "type", "param", "code"}}} and Ollama's {@code {"error": "message"}}.
 * Internal errors are logged here with their stack trace and reach the client without it.
 */
public final class ErrorMapper {
    private static final System.Logger LOG = System.getLogger(ErrorMapper.class.getName());

    private ErrorMapper() {}

    public static ApiException map(Throwable t) {
        return switch (t) {
            case ApiException api -> api;
            case UnknownModelException e -> new ApiException(404, "invalid_request_error", "model",
                    "model_not_found", e.getMessage(), 0);
            case ContextLengthExceededException e -> new ApiException(400, "invalid_request_error", "messages",
                    "context_length_exceeded", "this model's context length is " + e.contextLength()
                    + " tokens, but the prompt has " + e.promptTokens() + " tokens", 0);
            case EngineOverloadedException e -> new ApiException(429, "server_overloaded", null,
                    "overloaded", e.getMessage(), Math.max(1, e.retryAfterSeconds()));
            case QuotaExceededException e -> new ApiException(429, e.tokenLimit() ? "tokens" : "requests", null, "rate_limit_exceeded", e.getMessage(),
                    e.retryAfterSeconds());
            case ChatTemplateException e -> ApiException.badParam("messages", e.getMessage());
            case InvalidRequestException e -> ApiException.badParam(e.param(), e.getMessage());
            case InsufficientMemoryException e -> new ApiException(507, "insufficient_memory", "model",
                    "insufficient_memory", e.getMessage(), 0);
            case ModelNotFoundException e -> ApiException.notFound(e.getMessage());
            case ModelUnavailableException e -> new ApiException(503, "server_error", "model",
                    e.state() == ModelState.State.LOADING ? "model_loading" : "model_failed", e.getMessage(),
                    e.state() == ModelState.State.LOADING ? 5 : 0);
            case EngineFailedException e -> new ApiException(503, "server_error", "model", "model_failed",
                    e.getMessage(), 0);
            case GenerationFailedException e -> switch (e.kind()) {
                case MODEL_FAILED -> new ApiException(503, "server_error", "model", "model_failed", e.getMessage(), 0);
                case SHUTTING_DOWN -> ApiException.shuttingDown();
                case OTHER -> internal(e, "generation failed");
            };
            case HubException e -> new ApiException(400, "invalid_request_error", "model", "hub_error",
                    e.getMessage(), 0);
            case UpstreamException e -> new ApiException(e.kind() == UpstreamException.Kind.CLIENT_ERROR
                    || e.status() == 429 ? e.status() : e.kind() == UpstreamException.Kind.TIMEOUT ? 504 : 502, "upstream_error", null,
                    e.kind().name().toLowerCase(), e.getMessage(),
                    e.retryAfterMillis() > 0 ? (int) Math.max(1, (e.retryAfterMillis() + 999) / 1000) : 0);
            case UnsupportedFeatureException e -> new ApiException(501, "not_implemented", null,
                    "not_implemented", e.getMessage(), 0);
            case JsonMappingException e when !e.getPath().isEmpty() -> ApiException.badParam(path(e),
                    "invalid value for '" + path(e) + "': " + JsonMessages.describe(e));
            case JsonMappingException e -> new ApiException(400, "invalid_request_error", null, "invalid_body",
                    "the request body is not what this endpoint takes: " + JsonMessages.describe(e), 0);
            case JsonProcessingException e -> new ApiException(400, "invalid_request_error", null,
                    "invalid_json", "the request body is not valid JSON: " + e.getOriginalMessage(), 0);
            default -> internal(t, t.getClass().getSimpleName());
        };
    }

    /** A 500 whose detail goes to the log only. */
    private static ApiException internal(Throwable t, String what) {
        LOG.log(Level.ERROR, "internal error while handling a request", t);
        return new ApiException(500, "server_error", null, "internal_error", "internal server error (" + what + ")", 0);
    }

    /** {@code messages[0].content}: the JSON path of a mapping error. */
    static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    public static OpenAiError openAiBody(ApiException e) {
        return new OpenAiError(new OpenAiError.Body(e.getMessage(), e.type(), e.param(), e.code()));
    }

    /** OpenAI's error body; {@code param} and {@code code} are sent as null when unset, as OpenAI does. */
    public record OpenAiError(Body error) {
        public record Body(String message, String type, @JsonInclude(JsonInclude.Include.ALWAYS) String param,
                @JsonInclude(JsonInclude.Include.ALWAYS) String code) {}
    }

    public static Map<String, Object> ollamaBody(ApiException e) {
        return Map.of("error", e.getMessage());
    }
}
