package dev.hearth.grammar;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The per-type part of {@link JsonSchemaGrammar}: objects, arrays, strings, numbers, booleans and null. */
final class JsonSchemaTypes {
    static final List<String> TYPES = List.of("object", "array", "string", "integer", "number", "boolean", "null");
    private static final Map<String, Set<String>> KEYWORDS = Map.of(
            "object", Set.of("properties", "required", "additionalProperties"),
            "array", Set.of("items", "minItems", "maxItems", "uniqueItems"),
            "string", Set.of("minLength", "maxLength", "pattern", "format"),
            "integer", Set.of("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"),
            "number", Set.of("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"),
            "boolean", Set.of(),
            "null", Set.of());
    private static final Map<String, String> FORMATS = Map.of(
            "date", "[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])",
            "time", "([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,6})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])",
            "date-time", "[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
                    + "(\\.[0-9]{1,6})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])",
            "uuid", "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    /**
     * What the per-type rules need of the schema walk they are part of ({@link JsonSchemaGrammar}): sub-schemas turned
     * into rules, and new rules. Owned here, so that this file does not depend back on the walk.
     */
    interface Rules {
        /** The rule name (or primitive expression) for {@code schema} at JSON-pointer {@code path}. */
        String visit(Object schema, String hint, String path);

        /** Defines a new rule named after {@code hint} and returns its name. */
        String define(String hint, String expression);
    }

    private final Rules owner;

    JsonSchemaTypes(Rules owner) {
        this.owner = owner;
    }

    String typed(Map<String, Object> keywords, String hint, String path) {
        List<String> types;
        if (keywords.containsKey("type")) {
            types = typeList(keywords.get("type"), path);
        } else {
            Set<String> inferred = new LinkedHashSet<>();
            for (String key : keywords.keySet()) {
                for (String t : TYPES) {
                    if (KEYWORDS.get(t).contains(key)) {
                        inferred.add(t.equals("number") && inferred.contains("integer") ? "integer" : t);
                        break;
                    }
                }
            }
            if (inferred.isEmpty() && keywords.isEmpty()) {
                return "value";
            }
            types = new ArrayList<>(inferred);
        }
        for (String key : keywords.keySet()) {
            if (key.equals("type") || types.stream().anyMatch(t -> KEYWORDS.get(t).contains(key))) {
                continue;
            }
            String owners = TYPES.stream().filter(t -> KEYWORDS.get(t).contains(key)).toList().toString();
            if (owners.equals("[]")) {
                throw new GrammarException("unsupported JSON schema keyword '" + key + "' at " + path);
            }
            throw new GrammarException("conflicting constraints at " + path + ": '" + key + "' applies to " + owners
                    + " but the type is " + types);
        }
        List<String> alternatives = new ArrayList<>();
        for (String t : types) {
            alternatives.add(switch (t) {
                case "object" -> object(keywords, hint, path);
                case "array" -> array(keywords, hint, path);
                case "string" -> string(keywords, hint, path);
                case "integer" -> integer(keywords, hint, path);
                case "number" -> number(keywords, path);
                case "boolean" -> "boolean";
                default -> "null";
            });
        }
        return alternatives.size() == 1 ? alternatives.getFirst() : owner.define(hint, String.join(" | ", alternatives));
    }

    private String object(Map<String, Object> k, String hint, String path) {
        @SuppressWarnings("unchecked")
        Map<String, Object> properties = k.containsKey("properties") ? map(k.get("properties"), path + "/properties")
                : Map.of();
        Object additional = k.getOrDefault("additionalProperties", Boolean.TRUE);
        List<?> required = k.containsKey("required") ? list(k.get("required"), path + "/required")
                : List.of();
        for (Object name : required) {
            if (!properties.containsKey(String.valueOf(name))) {
                throw new GrammarException((Boolean.FALSE.equals(additional) ? "conflicting constraints at " + path
                        + ": required property '" + name + "' is not allowed by additionalProperties false"
                        : "required property '" + name + "' at " + path + " has no schema in 'properties'"));
            }
        }
        if (properties.isEmpty() && additional instanceof Map<?, ?>) {
            String v = owner.visit(additional, hint + "-additional", path + "/additionalProperties");
            String member = "string ws \":\" ws " + v + " ws";
            return owner.define(hint, "\"{\" ws ( " + member + " ( \",\" ws " + member + " )* )? \"}\"");
        }
        List<String> names = new ArrayList<>(properties.keySet());
        int n = names.size();
        String firstNext = "\"\"";
        String restNext = "\"\"";
        for (int i = n - 1; i >= 0; i--) {
            String name = names.get(i);
            String value = owner.visit(properties.get(name), hint + "-" + name, path + "/properties/" + name);
            String member = JsonText.gbnfLiteral(JsonText.write(name)) + " ws \":\" ws " + value + " ws";
            boolean optional = !required.contains(name);
            String rest = owner.define(hint + "-r" + i, "\",\" ws " + member + " " + restNext
                    + (optional ? " | " + restNext : ""));
            String first = owner.define(hint + "-f" + i, member + " " + restNext + (optional ? " | " + firstNext : ""));
            firstNext = first;
            restNext = rest;
        }
        return owner.define(hint, "\"{\" ws " + firstNext + " \"}\"");
    }

    private String array(Map<String, Object> k, String hint, String path) {
        Object items = k.get("items");
        if (items instanceof List<?>) {
            throw new GrammarException("unsupported JSON schema keyword 'items' as an array (tuples) at " + path);
        }
        String item = items == null ? "value" : owner.visit(items, hint + "-item", path + "/items");
        int min = integer(k, "minItems", 0, path);
        int max = integer(k, "maxItems", -1, path);
        if (max >= 0 && min > max) {
            throw new GrammarException("conflicting constraints at " + path + ": minItems " + min + " > maxItems " + max);
        }
        if (Boolean.TRUE.equals(k.get("uniqueItems")) && (max < 0 || max > 1)) {
            throw new GrammarException("unsupported JSON schema keyword 'uniqueItems' (true) at " + path);
        }
        if (max == 0) {
            return owner.define(hint, "\"[\" ws \"]\"");
        }
        String tail = "( \",\" ws " + item + " ws )" + (max < 0 ? "{" + Math.max(min - 1, 0) + ",}"
                : "{" + Math.max(min - 1, 0) + "," + (max - 1) + "}");
        String body = item + " ws " + tail;
        return owner.define(hint, "\"[\" ws " + (min == 0 ? "( " + body + " )?" : body) + " \"]\"");
    }

    private String string(Map<String, Object> k, String hint, String path) {
        int min = integer(k, "minLength", 0, path);
        int max = integer(k, "maxLength", -1, path);
        if (max >= 0 && min > max) {
            throw new GrammarException("conflicting constraints at " + path + ": minLength " + min + " > maxLength "
                    + max);
        }
        String regex = null;
        if (k.containsKey("format")) {
            regex = FORMATS.get(String.valueOf(k.get("format")));
            if (regex == null) {
                throw new GrammarException("unsupported JSON schema format '" + k.get("format") + "' at " + path
                        + " (supported: " + FORMATS.keySet().stream().sorted().toList() + ")");
            }
        }
        if (k.containsKey("pattern")) {
            if (regex != null) {
                throw new GrammarException("unsupported combination of 'pattern' and 'format' at " + path);
            }
            regex = String.valueOf(k.get("pattern"));
        }
        if (regex != null) {
            if (k.containsKey("minLength") || k.containsKey("maxLength")) {
                throw new GrammarException("unsupported combination of 'pattern'/'format' with minLength/maxLength at "
                        + path);
            }
            return owner.define(hint, "\"\\\"\" " + RegexToGbnf.convert(regex) + " \"\\\"\"");
        }
        if (min == 0 && max < 0) {
            return "string";
        }
        return owner.define(hint, "\"\\\"\" char{" + min + "," + (max < 0 ? "" : max) + "} \"\\\"\"");
    }

    private String integer(Map<String, Object> k, String hint, String path) {
        BigDecimal low = bound(k, "minimum", path);
        BigDecimal high = bound(k, "maximum", path);
        BigDecimal exclusiveLow = bound(k, "exclusiveMinimum", path);
        BigDecimal exclusiveHigh = bound(k, "exclusiveMaximum", path);
        Long lo = low == null ? null : low.setScale(0, java.math.RoundingMode.CEILING).longValueExact();
        Long hi = high == null ? null : high.setScale(0, java.math.RoundingMode.FLOOR).longValueExact();
        if (exclusiveLow != null) {
            long l = exclusiveLow.setScale(0, java.math.RoundingMode.FLOOR).longValueExact() + 1;
            lo = lo == null ? l : Math.max(lo, l);
        }
        if (exclusiveHigh != null) {
            long h = exclusiveHigh.setScale(0, java.math.RoundingMode.CEILING).longValueExact() - 1;
            hi = hi == null ? h : Math.min(hi, h);
        }
        if (lo == null && hi == null) {
            return "integer";
        }
        if (lo != null && hi != null && lo > hi) {
            throw new GrammarException("conflicting constraints at " + path + ": no integer in [" + lo + ", " + hi
                    + "]");
        }
        return owner.define(hint, IntegerRange.toGbnf(lo, hi));
    }

    private String number(Map<String, Object> k, String path) {
        for (String key : List.of("maximum", "exclusiveMinimum", "exclusiveMaximum")) {
            if (k.containsKey(key)) {
                throw new GrammarException("unsupported JSON schema keyword '" + key + "' on a number at " + path
                        + " (bounds are supported on integers, and minimum 0 on numbers)");
            }
        }
        if (k.containsKey("minimum")) {
            if (bound(k, "minimum", path).signum() != 0) {
                throw new GrammarException("unsupported JSON schema keyword 'minimum' other than 0 on a number at "
                        + path + " (bounds are supported on integers)");
            }
            return "( \"0\" | [1-9] [0-9]{0,15} ) ( \".\" [0-9]{1,16} )? ( [eE] [-+]? [0-9]{1,3} )?";
        }
        return "number";
    }

    private static BigDecimal bound(Map<String, Object> k, String key, String path) {
        Object v = k.get(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Number n)) {
            throw new GrammarException("'" + key + "' at " + path + " must be a number (draft-4 boolean form is not "
                    + "supported)");
        }
        return new BigDecimal(n.toString());
    }

    private static int integer(Map<String, Object> k, String key, int absent, String path) {
        Object v = k.get(key);
        if (v == null) {
            return absent;
        }
        if (!(v instanceof Number n) || n.doubleValue() < 0 || n.doubleValue() != Math.floor(n.doubleValue())
                || n.doubleValue() > 10_000) {
            throw new GrammarException("'" + key + "' at " + path + " must be an integer in [0, 10000], got " + v);
        }
        return n.intValue();
    }

    @SuppressWarnings("unchecked")
    static List<?> list(Object value, String path) {
        if (!(value instanceof List<?> l)) {
            throw new GrammarException(path + " must be an array");
        }
        return l;
    }

    private static Map<String, Object> map(Object v, String path) {
        if (!(v instanceof Map<?, ?> m)) {
            throw new GrammarException(path + " must be an object");
        }
        return (Map<String, Object>) m;
    }

    static List<String> typeList(Object type, String path) {
        List<?> raw = type instanceof List<?> l ? l : List.of(type);
        if (raw.isEmpty()) {
            throw new GrammarException("'type' at " + path + " is an empty list: no value can match it");
        }
        List<String> out = new ArrayList<>();
        for (Object t : raw) {
            if (!TYPES.contains(String.valueOf(t))) {
                throw new GrammarException("unknown type '" + t + "' at " + path + " (expected one of " + TYPES + ")");
            }
            out.add(String.valueOf(t));
        }
        if (out.contains("number")) {
            out.remove("integer");
        }
        return out;
    }

    static boolean hasType(Object v, String type) {
        return switch (type) {
            case "null" -> v == null;
            case "boolean" -> v instanceof Boolean;
            case "string" -> v instanceof String;
            case "number" -> v instanceof Number;
            case "integer" -> v instanceof Number n && new BigDecimal(n.toString()).stripTrailingZeros().scale() <= 0;
            case "object" -> v instanceof Map;
            default -> v instanceof List;
        };
    }
}
