package dev.hearth.grammar;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Converts a JSON schema (as parsed JSON: Maps, Lists, Strings, Numbers, Booleans, null) into a {@link Grammar} whose
 * every complete output is a JSON document valid against the schema. Covered: {@code type} (one or a list), object
 * {@code properties} in declared order with {@code required} (optional ones may be absent) and
 * {@code additionalProperties}, arrays with {@code items}, {@code minItems}, {@code maxItems}, {@code enum},
 * {@code const}, {@code anyOf}/{@code oneOf}, one-element {@code allOf}, strings with {@code minLength},
 * {@code maxLength}, {@code pattern} (see {@link RegexToGbnf}) and a few {@code format}s, integer bounds, and
 * {@code $ref} into {@code $defs}/{@code definitions} (recursion included). Annotations (title, description, ...)
 * are ignored; any other keyword, an empty enum or contradictory constraints throw a {@link GrammarException} that
 * names the keyword and the schema path.
 *
 * <p>Outputs are a valid subset of what the schema allows: properties not declared are never generated (even when
 * {@code additionalProperties} allows them next to {@code properties}), and {@code oneOf} branches are generated as
 * {@code anyOf}, so branches that overlap can produce a document that matches several.
 */
public final class JsonSchemaGrammar {
    static final Set<String> ANNOTATIONS = Set.of("title", "description", "$schema", "$id", "$comment", "default",
            "examples", "deprecated", "readOnly", "writeOnly", "$defs", "definitions", "id");

    private final Object root;
    private final StringBuilder rules = new StringBuilder();
    private final Map<String, String> refRules = new HashMap<>();
    private final Map<String, Integer> names = new HashMap<>();
    private final JsonSchemaTypes types = new JsonSchemaTypes(new JsonSchemaTypes.Rules() {
        @Override
        public String visit(Object schema, String hint, String path) {
            return JsonSchemaGrammar.this.visit(schema, hint, path);
        }

        @Override
        public String define(String hint, String expression) {
            return JsonSchemaGrammar.this.define(hint, expression);
        }
    });

    private JsonSchemaGrammar(Object root) {
        this.root = root;
    }

    /** The grammar of documents valid against {@code schema}. */
    public static Grammar compile(Map<String, ?> schema) {
        return Grammar.compile(toGbnf(schema));
    }

    /** The GBNF text {@link #compile} uses (rule {@code root}). */
    public static String toGbnf(Map<String, ?> schema) {
        JsonSchemaGrammar g = new JsonSchemaGrammar(schema);
        String top = g.visit(schema, "root", "#");
        StringBuilder out = new StringBuilder();
        if (!top.equals("root")) {
            out.append("root ::= ").append(top).append('\n');
        }
        return out.append(g.rules).append(JsonGrammarRules.ALL).toString();
    }

    /** Defines a new rule named after {@code hint} and returns its name. */
    private String define(String hint, String expression) {
        String name = freshName(hint);
        rules.append(name).append(" ::= ").append(expression).append('\n');
        return name;
    }

    private String freshName(String hint) {
        String base = hint.replaceAll("[^a-zA-Z0-9-]", "-");
        if (base.isEmpty() || Set.of("value", "object", "array", "string", "char", "number", "integer", "boolean",
                "null", "ws").contains(base)) {
            base = "s-" + base;
        }
        int n = names.merge(base, 1, Integer::sum);
        return n == 1 ? base : base + "-" + n;
    }

    /** The rule name (or primitive expression) for {@code schema} at JSON-pointer {@code path}. */
    private String visit(Object schema, String hint, String path) {
        if (schema instanceof Boolean b) {
            if (!b) {
                throw new GrammarException("schema " + path + " is false: no value can match it");
            }
            return "value";
        }
        if (!(schema instanceof Map<?, ?> raw)) {
            throw new GrammarException("schema " + path + " must be an object or a boolean, got " + JsonText.write(schema));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> s = (Map<String, Object>) raw;
        Map<String, Object> keywords = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : s.entrySet()) {
            if (!ANNOTATIONS.contains(e.getKey())) {
                keywords.put(e.getKey(), e.getValue());
            }
        }
        if (keywords.containsKey("$ref")) {
            only(keywords, "$ref", path);
            return ref(String.valueOf(keywords.get("$ref")), path);
        }
        for (String combinator : List.of("anyOf", "oneOf", "allOf")) {
            if (keywords.containsKey(combinator)) {
                only(keywords, combinator, path);
                List<?> branches = JsonSchemaTypes.list(keywords.get(combinator), path + "/" + combinator);
                if (branches.isEmpty()) {
                    throw new GrammarException(path + "/" + combinator + " is empty");
                }
                if (combinator.equals("allOf") && branches.size() > 1) {
                    throw new GrammarException("unsupported JSON schema keyword 'allOf' with more than one schema at "
                            + path);
                }
                List<String> alternatives = new ArrayList<>();
                for (int i = 0; i < branches.size(); i++) {
                    alternatives.add(visit(branches.get(i), hint + "-" + i, path + "/" + combinator + "/" + i));
                }
                return define(hint, String.join(" | ", alternatives));
            }
        }
        if (keywords.containsKey("const") || keywords.containsKey("enum")) {
            return constants(keywords, hint, path);
        }
        return types.typed(keywords, hint, path);
    }

    private String constants(Map<String, Object> keywords, String hint, String path) {
        List<?> values;
        if (keywords.containsKey("const")) {
            if (keywords.containsKey("enum")) {
                throw new GrammarException("schema " + path + " has both 'const' and 'enum'");
            }
            values = java.util.Collections.singletonList(keywords.get("const"));
        } else {
            values = JsonSchemaTypes.list(keywords.get("enum"), path + "/enum");
            if (values.isEmpty()) {
                throw new GrammarException("'enum' at " + path + " is empty: no value can match it");
            }
        }
        for (String key : keywords.keySet()) {
            if (!key.equals("const") && !key.equals("enum") && !key.equals("type")) {
                throw new GrammarException("unsupported JSON schema keyword '" + key + "' next to const/enum at "
                        + path);
            }
        }
        List<String> allowedTypes = keywords.containsKey("type") ? JsonSchemaTypes.typeList(keywords.get("type"), path)
                : null;
        List<String> alternatives = new ArrayList<>();
        for (Object v : values) {
            if (allowedTypes != null && allowedTypes.stream().noneMatch(t -> JsonSchemaTypes.hasType(v, t))) {
                throw new GrammarException("conflicting constraints at " + path + ": " + JsonText.write(v)
                        + " is not of type " + allowedTypes);
            }
            alternatives.add(JsonText.gbnfLiteral(JsonText.write(v)));
        }
        return define(hint, String.join(" | ", alternatives));
    }

    private String ref(String ref, String path) {
        String rule = refRules.get(ref);
        if (rule != null) {
            return rule;
        }
        if (!ref.startsWith("#")) {
            throw new GrammarException("$ref '" + ref + "' at " + path + " is not local (only '#...' is supported)");
        }
        Object target = root;
        String[] parts = ref.substring(1).split("/");
        for (String part : parts) {
            if (part.isEmpty()) {
                continue;
            }
            String key = java.net.URLDecoder.decode(part, java.nio.charset.StandardCharsets.UTF_8)
                    .replace("~1", "/").replace("~0", "~");
            if (!(target instanceof Map<?, ?> m) || !m.containsKey(key)) {
                throw new GrammarException("$ref '" + ref + "' at " + path + " points to nothing");
            }
            target = m.get(key);
        }
        String name = freshName("ref-" + parts[parts.length - 1]);
        refRules.put(ref, name);
        String body = visit(target, name + "-body", ref);
        rules.append(name).append(" ::= ").append(body).append('\n');
        return name;
    }

    static void only(Map<String, Object> keywords, String keyword, String path) {
        for (String key : keywords.keySet()) {
            if (!key.equals(keyword)) {
                throw new GrammarException("unsupported JSON schema keyword '" + key + "' next to '" + keyword
                        + "' at " + path);
            }
        }
    }
}
