package dev.hearth.server.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * A parsed YAML document that remembers the line of every field and element, so that validation errors can say
 * {@code hearth.yaml line 12, backends.cloud.url: ...}. Paths are JSON pointers ({@code /backends/cloud/url}).
 */
final class YamlDocument {
    private static final YAMLMapper MAPPER = new YAMLMapper();

    private final String source;
    private final JsonNode root;
    private final Map<String, Integer> lines = new HashMap<>();

    private YamlDocument(String source, JsonNode root) {
        this.source = source;
        this.root = root;
    }

    static YamlDocument parse(String source, String text) {
        try {
            JsonNode root = MAPPER.readTree(text);
            YamlDocument doc = new YamlDocument(source, root);
            try (JsonParser p = new YAMLFactory().createParser(text)) {
                for (JsonToken t; (t = p.nextToken()) != null; ) {
                    String pointer = p.getParsingContext().pathAsPointer().toString();
                    if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                        // the container's own path is its parent's current entry
                        pointer = p.getParsingContext().getParent() == null ? ""
                                : p.getParsingContext().getParent().pathAsPointer().toString();
                    }
                    doc.lines.putIfAbsent(pointer, p.currentTokenLocation().getLineNr());
                }
            }
            return doc;
        } catch (JsonProcessingException e) {
            throw new ConfigException(source + " line " + e.getLocation().getLineNr() + ": not valid YAML: "
                    + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigException(source + ": cannot be read: " + e.getMessage());
        }
    }

    JsonNode root() {
        return root;
    }

    /** A failure at {@code pointer}: the file, the nearest known line, the field as {@code a.b[2].c}. */
    ConfigException error(String pointer, String message) {
        String p = pointer;
        Integer line = null;
        while (line == null && !p.isEmpty()) {
            line = lines.get(p);
            p = p.substring(0, Math.max(0, p.lastIndexOf('/')));
        }
        return new ConfigException(source + (line == null ? "" : " line " + line) + ", " + field(pointer) + ": "
                + message);
    }

    static String field(String pointer) {
        if (pointer.isEmpty()) {
            return "(top level)";
        }
        StringBuilder sb = new StringBuilder();
        for (String part : pointer.substring(1).split("/", -1)) {
            if (!part.isEmpty() && part.chars().allMatch(Character::isDigit)) {
                sb.append('[').append(part).append(']');
            } else {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(part.replace("~1", "/").replace("~0", "~"));
            }
        }
        return sb.toString();
    }
}
