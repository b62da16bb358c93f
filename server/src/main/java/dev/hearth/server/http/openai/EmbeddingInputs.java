package dev.hearth.server.http.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.server.http.api.ApiException;
import dev.hearth.server.backend.EmbeddingInput;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** OpenAI's {@code input} of {@code /v1/embeddings}: a string, strings, token ids, or arrays of token ids. */
final class EmbeddingInputs {
    static final int MAX_INPUTS = 2048;

    private EmbeddingInputs() {}

    static List<EmbeddingInput> parse(JsonNode input) {
        if (input == null || input.isNull()) {
            throw ApiException.missing("input");
        }
        if (input.isTextual()) {
            return List.of(EmbeddingInput.of(input.textValue()));
        }
        if (!input.isArray() || input.isEmpty()) {
            throw ApiException.badParam("input", "'input' must be a string, an array of strings, an array of token"
                    + " ids or an array of arrays of token ids (non-empty)");
        }
        if (input.size() > MAX_INPUTS) {
            throw ApiException.badParam("input", "'input' takes at most " + MAX_INPUTS + " items, got "
                    + input.size());
        }
        if (input.get(0).isIntegralNumber()) {
            return List.of(EmbeddingInput.of(ids(input, "input")));
        }
        List<EmbeddingInput> out = new ArrayList<>();
        for (int i = 0; i < input.size(); i++) {
            JsonNode item = input.get(i);
            if (item.isTextual()) {
                out.add(EmbeddingInput.of(item.textValue()));
            } else if (item.isArray() && !item.isEmpty()) {
                out.add(EmbeddingInput.of(ids(item, "input[" + i + "]")));
            } else {
                throw ApiException.badParam("input[" + i + "]", "'input[" + i + "]' must be a string or a non-empty"
                        + " array of token ids");
            }
        }
        return out;
    }

    private static int[] ids(JsonNode array, String param) {
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode id = array.get(i);
            if (!id.canConvertToInt() || !id.isIntegralNumber() || id.intValue() < 0) {
                throw ApiException.badParam(param + "[" + i + "]", "token ids must be integers >= 0, got " + id);
            }
            ids[i] = id.intValue();
        }
        return ids;
    }

    /** The vector as OpenAI's base64 encoding: little-endian float32 values. */
    static String base64(float[] vector) {
        ByteBuffer bytes = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(vector);
        return Base64.getEncoder().encodeToString(bytes.array());
    }
}
