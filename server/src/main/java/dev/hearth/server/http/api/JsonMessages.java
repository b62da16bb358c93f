package dev.hearth.server.http.api;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import java.util.Collection;
import java.util.Map;

/**
 * What a JSON mapping failure means in the client's terms: the JSON kind a field expects ("expected an array"),
 * never Jackson's wording, which names Java types ({@code java.util.ArrayList<dev.hearth...>}).
 */
final class JsonMessages {
    private JsonMessages() {}

    /** The reason, without the field (the caller names it). */
    static String describe(JsonMappingException e) {
        return switch (e) {
            case ValueInstantiationException v -> v.getCause() != null && v.getCause().getMessage() != null
                    && !namesJavaType(v.getCause().getMessage()) ? v.getCause().getMessage() : "invalid value";
            case InvalidFormatException f -> "expected " + kind(f.getTargetType()) + ", got " + shown(f.getValue());
            case MismatchedInputException m when m.getTargetType() != null -> "expected " + kind(m.getTargetType());
            default -> namesJavaType(e.getOriginalMessage()) ? "invalid value" : e.getOriginalMessage();
        };
    }

    /** The JSON kind a Java type is read from. */
    static String kind(Class<?> type) {
        if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return "an array";
        }
        if (type == String.class || type == char.class || type == Character.class) {
            return "a string";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type == int.class || type == long.class || type == short.class || type == Integer.class
                || type == Long.class || type == Short.class) {
            return "an integer";
        }
        if (type.isPrimitive() || Number.class.isAssignableFrom(type)) {
            return "a number";
        }
        if (type.isEnum()) {
            StringBuilder sb = new StringBuilder("one of");
            for (Object constant : type.getEnumConstants()) {
                sb.append(sb.length() == 6 ? " " : ", ").append(constant.toString().toLowerCase());
            }
            return sb.toString();
        }
        if (Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "an object";
        }
        return "a different type";
    }

    private static String shown(Object value) {
        String text = String.valueOf(value);
        return value instanceof String ? "\"" + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + "\""
                : text.length() > 40 ? text.substring(0, 40) + "..." : text;
    }

    private static boolean namesJavaType(String message) {
        return message == null || message.contains("`") || message.contains("java.") || message.contains("dev.hearth")
                || message.contains("com.fasterxml");
    }
}
