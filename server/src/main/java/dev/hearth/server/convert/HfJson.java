package dev.hearth.server.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads the JSON files of a Hugging Face model folder, with errors that name the file and field. */
final class HfJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private HfJson() {}

    /** The parsed file; a clear error when it is missing or not JSON. */
    static JsonNode read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "missing (a Hugging Face model folder needs it)");
        }
        try {
            return MAPPER.readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IllegalArgumentException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** The parsed file, or a missing node when the file does not exist. */
    static JsonNode readOptional(Path file) throws IOException {
        return Files.isRegularFile(file) ? read(file) : MAPPER.missingNode();
    }

    static int requiredInt(JsonNode node, String field, String file) {
        JsonNode v = node.get(field);
        if (v == null || !v.canConvertToInt()) {
            throw new IllegalArgumentException(file + ": field \"" + field + "\" is missing or not an integer");
        }
        return v.asInt();
    }

    static int optionalInt(JsonNode node, String field, int fallback) {
        JsonNode v = node.get(field);
        return v != null && v.canConvertToInt() ? v.asInt() : fallback;
    }

    static double optionalDouble(JsonNode node, String field, double fallback) {
        JsonNode v = node.get(field);
        return v != null && v.isNumber() ? v.asDouble() : fallback;
    }
}
