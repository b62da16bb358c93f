package dev.hearth.grammar;

import static dev.hearth.grammar.GrammarTestSupport.matches;
import static dev.hearth.grammar.GrammarTestSupport.prefix;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Schema to grammar: documents accepted and refused (checked against the validator), and clear errors. */
class JsonSchemaGrammarTest {

    static Grammar compile(String schema) {
        return JsonSchemaGrammar.compile(SchemaCorpus.parse(schema));
    }

    /** The grammar accepts exactly the documents the validator accepts, among these (a subset where noted). */
    static void agree(String schema, List<String> documents) {
        Grammar g = compile(schema);
        for (String d : documents) {
            boolean valid;
            try {
                valid = SchemaCorpus.validate(schema, d).isEmpty();
            } catch (AssertionError notJson) {
                valid = false;
            }
            assertThat(matches(g, d)).as("%s against %s (validator says %s)", d, schema, valid).isEqualTo(valid);
        }
    }

    @Test
    void objectsKeepDeclaredOrderAndOptionalPropertiesMayBeAbsent() {
        String schema = SchemaCorpus.SCHEMAS.getFirst();
        agree(schema, List.of("{\"name\":\"bo\",\"age\":3}", "{\"name\": \"bo\", \"age\": 150, \"active\": true}",
                "{\"name\":\"bo\",\"age\":3,\"tags\":[],\"active\":false}",
                "{\n  \"name\": \"bo\",\n  \"age\": 0,\n  \"tags\": [\"a\", \"bcd\"]\n}",
                "{\"name\":\"bo\"}", "{\"name\":\"bo\",\"age\":151}", "{\"name\":\"bo\",\"age\":-1}",
                "{\"name\":\"123456789\",\"age\":1}", "{\"name\":\"bo\",\"age\":1,\"tags\":[\"a\",\"b\",\"c\",\"d\"]}",
                "{\"name\":\"bo\",\"age\":1,\"other\":1}", "{\"name\":\"bo\",\"age\":01}"));
        // declared order only (a valid subset): age before name is refused by the grammar
        assertThat(matches(compile(schema), "{\"age\":1,\"name\":\"bo\"}")).isFalse();
        // whitespace is bounded
        assertThat(prefix(compile(schema), "{" + " ".repeat(2))).isFalse();
        assertThat(prefix(compile(schema), "{\n" + " ".repeat(20))).isTrue();
        assertThat(prefix(compile(schema), "{\n" + " ".repeat(21))).isFalse();
    }

    @Test
    void enumsConstsAnyOfRefsPatternsAndRanges() {
        agree(SchemaCorpus.SCHEMAS.get(2), List.of("{\"kind\":\"circle\",\"r\":1.5}", "{\"kind\":\"square\",\"side\":2}",
                "{\"kind\":\"square\",\"r\":2}", "{\"kind\":\"circle\",\"r\":-1}", "{\"kind\":\"triangle\",\"side\":2}"));
        agree(SchemaCorpus.SCHEMAS.get(4), List.of("{\"value\":1}", "{\"value\":-5,\"children\":[{\"value\":5}]}",
                "{\"value\":1,\"children\":[{\"value\":2,\"children\":[{\"value\":3}]},{\"value\":4}]}",
                "{\"value\":6}", "{\"value\":1,\"children\":[{\"value\":1},{\"value\":1},{\"value\":1}]}"));
        agree(SchemaCorpus.SCHEMAS.get(5), List.of(
                "{\"code\":\"AB-123\",\"day\":\"2024-02-28\",\"id\":\"0f8fad5b-d9cb-469f-a165-70867728950e\"}",
                "{\"code\":\"AB-123yz\",\"day\":\"2024-02-28\",\"id\":\"0f8fad5b-d9cb-469f-a165-70867728950e\"}",
                "{\"code\":\"AB-12\",\"day\":\"2024-02-28\",\"id\":\"0f8fad5b-d9cb-469f-a165-70867728950e\"}",
                "{\"code\":\"AB-123\",\"day\":\"2024-13-28\",\"id\":\"0f8fad5b-d9cb-469f-a165-70867728950e\"}"));
        agree(SchemaCorpus.SCHEMAS.get(7), List.of(
                "{\"v\":{\"a\":[1,\"two\"]},\"n\":null,\"e\":\"é\"}", "{\"v\":{\"a\":[1,\"two\"]},\"n\":\"abc\",\"e\":\"a\\\"b\"}",
                "{\"v\":{\"a\":[1,\"two\"]},\"n\":\"ab\",\"e\":\"x\\\\y\"}", "{\"v\":{\"a\":[1,\"two\"]},\"n\":\"ab\",\"e\":\"😀\"}",
                "{\"v\":{\"a\":[1,\"two\"]},\"n\":\"abcd\",\"e\":\"é\"}", "{\"v\":{\"a\":[2,\"two\"]},\"n\":null,\"e\":\"é\"}",
                "{\"v\":{\"a\":[1,\"two\"]},\"n\":null,\"e\":\"e\"}"));
        agree("{\"type\": \"integer\", \"minimum\": -37, \"exclusiveMaximum\": 1205}", List.of("-37", "-38", "0",
                "9", "10", "99", "100", "999", "1000", "1204", "1205", "1199", "1200", "-10", "-30", "-36", "-40", "07"));
        agree("{\"type\": \"array\", \"items\": {\"type\": \"number\"}, \"minItems\": 2, \"maxItems\": 3}",
                List.of("[]", "[1]", "[1, 2.5]", "[1,2,3e5]", "[1,2,3,4]", "[1,]"));
        agree("{\"type\": \"string\", \"pattern\": \"^(\\\\w+\\\\.)?[a-c\\\"]{2}\\\\d*$\"}", List.of("\"ab\"", "\"x_1.ca7\"",
                "\"a\\\"\"", "\"a\"", "\".ab\"", "\"abc\""));
    }

    @Test
    void outputsAreAValidSubset() {
        // "-0" is valid JSON for 0 and passes the schema, but the grammar never produces it
        Grammar g = compile("{\"type\": \"integer\", \"minimum\": -37}");
        assertThat(SchemaCorpus.validate("{\"type\": \"integer\", \"minimum\": -37}", "-0")).isEmpty();
        assertThat(matches(g, "-0")).isFalse();
        assertThat(matches(g, "0")).isTrue();
    }

    @Test
    void unsupportedKeywordsAreNamed() {
        assertThatThrownBy(() -> compile("{\"type\": \"object\", \"minProperties\": 1}"))
                .isInstanceOf(GrammarException.class).hasMessageContaining("'minProperties'").hasMessageContaining("#");
        assertThatThrownBy(() -> compile("{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"string\", "
                + "\"contentEncoding\": \"base64\"}}}")).hasMessageContaining("'contentEncoding'")
                .hasMessageContaining("#/properties/a");
        assertThatThrownBy(() -> compile("{\"type\": \"number\", \"multipleOf\": 2}")).hasMessageContaining("'multipleOf'");
        assertThatThrownBy(() -> compile("{\"type\": \"array\", \"uniqueItems\": true}")).hasMessageContaining("'uniqueItems'");
        assertThatThrownBy(() -> compile("{\"allOf\": [{\"type\": \"string\"}, {\"maxLength\": 2}]}"))
                .hasMessageContaining("'allOf'");
        assertThatThrownBy(() -> compile("{\"type\": \"string\", \"format\": \"hostname\"}"))
                .hasMessageContaining("format 'hostname'");
        assertThatThrownBy(() -> compile("{\"type\": \"string\", \"pattern\": \"(?=a)b\"}")).hasMessageContaining("lookaround");
        assertThatThrownBy(() -> compile("{\"type\": \"string\", \"pattern\": \"(a)\\\\1\"}")).hasMessageContaining("backreference");
        assertThatThrownBy(() -> compile("{\"$ref\": \"https://example.com/s.json\"}")).hasMessageContaining("not local");
        assertThatThrownBy(() -> compile("{\"$ref\": \"#/$defs/missing\"}")).hasMessageContaining("points to nothing");
    }

    @Test
    void emptyEnumAndConflictsAreClearErrors() {
        assertThatThrownBy(() -> compile("{\"enum\": []}")).isInstanceOf(GrammarException.class)
                .hasMessageContaining("'enum' at # is empty");
        assertThatThrownBy(() -> compile("{\"type\": \"string\", \"minLength\": 5, \"maxLength\": 2}"))
                .hasMessageContaining("conflicting constraints").hasMessageContaining("minLength 5 > maxLength 2");
        assertThatThrownBy(() -> compile("{\"type\": \"array\", \"minItems\": 3, \"maxItems\": 1}"))
                .hasMessageContaining("minItems 3 > maxItems 1");
        assertThatThrownBy(() -> compile("{\"type\": \"integer\", \"minimum\": 5, \"maximum\": 4.5}"))
                .hasMessageContaining("no integer in [5, 4]");
        assertThatThrownBy(() -> compile("{\"type\": \"string\", \"enum\": [\"a\", 1]}"))
                .hasMessageContaining("conflicting constraints").hasMessageContaining("1 is not of type [string]");
        assertThatThrownBy(() -> compile("{\"type\": \"string\", \"minItems\": 1}"))
                .hasMessageContaining("conflicting constraints").hasMessageContaining("'minItems' applies to [array]");
        assertThatThrownBy(() -> compile("{\"type\": \"object\", \"properties\": {\"a\": {}}, \"required\": [\"b\"], "
                + "\"additionalProperties\": false}")).hasMessageContaining("required property 'b'");
        assertThatThrownBy(() -> compile("{\"type\": []}")).hasMessageContaining("empty list");
        assertThatThrownBy(() -> compile("{\"type\": \"text\"}")).hasMessageContaining("unknown type 'text'");
        assertThatThrownBy(() -> compile("{\"not\": false, \"anyOf\": []}")).isInstanceOf(GrammarException.class);
        assertThatThrownBy(() -> compile("{\"properties\": {\"a\": false}, \"required\": [\"a\"]}"))
                .hasMessageContaining("#/properties/a is false");
    }
}
