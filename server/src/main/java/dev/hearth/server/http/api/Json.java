package dev.hearth.server.http.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The one JSON mapper of the HTTP layer: snake_case names (both APIs use them), unknown request fields ignored,
 * no silent coercion of strings to numbers, nulls left out of responses unless a record asks for them.
 */
public final class Json {
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();

    private Json() {}

    /**
     * A request body as {@code type}: it must be a JSON object ({@code null}, arrays and scalars are a 400 naming the
     * body, not a mapping failure deep in a handler).
     */
    public static <T> T parse(byte[] bytes, Class<T> type) throws IOException {
        String notObject = notAnObject(bytes);
        if (notObject != null) {
            throw new ApiException(400, "invalid_request_error", null, "invalid_body",
                    "the request body must be a JSON object, got " + notObject, 0);
        }
        return MAPPER.readValue(bytes, type);
    }

    /** What the body is when it is plainly not an object ("null", "an array", ...); null for an object or junk. */
    static String notAnObject(byte[] bytes) {
        for (byte b : bytes) {
            switch (b) {
                case ' ', '\t', '\r', '\n' -> { }
                case '{' -> { return null; }
                case 'n' -> { return "null"; }
                case '[' -> { return "an array"; }
                case '"' -> { return "a string"; }
                case 't', 'f' -> { return "a boolean"; }
                case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9' -> { return "a number"; }
                default -> { return null; }  // not JSON at all: the parser names the problem
            }
        }
        return null;
    }

    public static byte[] readBounded(InputStream in, long limit) throws IOException {
        byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
        if (bytes.length > limit) {
            throw ApiException.tooLarge(limit);
        }
        return bytes;
    }

    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Answers {@code status} with {@code body} as JSON, in one write. */
    public static void send(ServerResponse res, int status, Object body) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(write(body));
    }
}
