package dev.hearth.grammar;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Schemas for generation tests (deep nesting, enums, arrays, anyOf, $ref, patterns), and the validator oracle. */
final class SchemaCorpus {
    private SchemaCorpus() {}

    static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    static final List<String> SCHEMAS = List.of(
            """
            {"type": "object", "properties": {
               "name": {"type": "string", "maxLength": 8},
               "age": {"type": "integer", "minimum": 0, "maximum": 150},
               "tags": {"type": "array", "items": {"type": "string", "maxLength": 4}, "maxItems": 3},
               "active": {"type": "boolean"}},
             "required": ["name", "age"], "additionalProperties": false}
            """,
            """
            {"type": "object", "properties": {
               "a": {"type": "object", "properties": {
                  "b": {"type": "array", "minItems": 1, "maxItems": 2, "items": {"type": "object", "properties": {
                     "c": {"enum": ["x", "y", 3, null, true]},
                     "d": {"type": "object", "properties": {"e": {"type": "integer", "minimum": -20, "maximum": 7}},
                           "required": ["e"]}},
                   "required": ["c"], "additionalProperties": false}}},
                "required": ["b"]}},
             "required": ["a"]}
            """,
            """
            {"anyOf": [
               {"type": "object", "properties": {"kind": {"const": "circle"}, "r": {"type": "number", "minimum": 0}},
                "required": ["kind", "r"], "additionalProperties": false},
               {"type": "object", "properties": {"kind": {"const": "square"}, "side": {"type": "integer"}},
                "required": ["kind", "side"], "additionalProperties": false}]}
            """,
            """
            {"type": "object", "properties": {"v": {"oneOf": [{"type": "string", "maxLength": 5}, {"type": "integer"},
               {"type": "null"}]}}, "required": ["v"]}
            """,
            """
            {"$defs": {"node": {"type": "object", "properties": {
                 "value": {"type": "integer", "minimum": -5, "maximum": 5},
                 "children": {"type": "array", "items": {"$ref": "#/$defs/node"}, "maxItems": 2}},
               "required": ["value"], "additionalProperties": false}},
             "$ref": "#/$defs/node"}
            """,
            """
            {"type": "object", "properties": {
               "code": {"type": "string", "pattern": "^[A-Z]{2}-\\\\d{3}(x|yz)?$"},
               "day": {"type": "string", "format": "date"},
               "id": {"type": "string", "format": "uuid"}},
             "required": ["code", "day", "id"]}
            """,
            """
            {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 4}
            """,
            """
            {"type": "object", "properties": {"v": {"const": {"a": [1, "two"]}},
               "n": {"type": ["string", "null"], "maxLength": 3},
               "e": {"enum": ["é", "a\\"b", "x\\\\y", "😀", "tab\\there"]}},
             "required": ["v", "n", "e"], "additionalProperties": false}
            """,
            """
            {"type": "object", "properties": {"s": {"type": "string", "minLength": 2, "maxLength": 4},
               "m": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 10, "maximum": 99}}},
             "required": ["s", "m"]}
            """);

    private static final Map<String, JsonSchema> VALIDATORS = new java.util.concurrent.ConcurrentHashMap<>();

    private static JsonSchema validator(String schema) {
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
        try {
            return factory.getSchema(JSON.readTree(schema), config);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> parse(String schema) {
        try {
            return JSON.readValue(schema, Map.class);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The validation errors of {@code text} against {@code schema}: empty when it is valid JSON that validates. */
    static Set<ValidationMessage> validate(String schema, String text) {
        try {
            JsonSchema s = VALIDATORS.computeIfAbsent(schema, SchemaCorpus::validator);
            JsonNode document = JSON.readTree(text);
            return s.validate(document);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }
}
