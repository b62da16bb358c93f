package dev.hearth.server.chat;

import java.math.BigDecimal;
import java.util.Map;

/**
 * JSON text the way Python's {@code json.dumps(value, ensure_ascii=False, indent=indent)} writes it, which is what
 * Hugging Face's and llama.cpp's {@code tojson} produce: separators {@code ", "} and {@code ": "} on one line, or
 * {@code ","} and {@code ": "} with newlines when indented; keys in insertion order; non-ASCII text kept as is.
 */
final class PythonJson {
    private PythonJson() {}

    static String dumps(Object value, int indent) {
        StringBuilder out = new StringBuilder();
        write(out, value, indent, 0);
        return out.toString();
    }

    private static void write(StringBuilder out, Object value, int indent, int depth) {
        switch (value) {
            case null -> out.append("null");
            case String s -> quote(out, s);
            case Boolean b -> out.append(b ? "true" : "false");
            case Double d -> out.append(pythonFloat(d));
            case Float f -> out.append(pythonFloat(f.doubleValue()));
            case BigDecimal d -> out.append(d.stripTrailingZeros().scale() <= 0 && d.scale() <= 0
                    ? d.toPlainString() : pythonFloat(d.doubleValue()));
            case Number n -> out.append(n.longValue());
            case Map<?, ?> map -> {
                if (map.isEmpty()) {
                    out.append("{}");
                    return;
                }
                out.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    separator(out, first, indent, depth + 1);
                    quote(out, String.valueOf(e.getKey()));
                    out.append(": ");
                    write(out, e.getValue(), indent, depth + 1);
                    first = false;
                }
                close(out, indent, depth);
                out.append('}');
            }
            case Iterable<?> list -> {
                if (!list.iterator().hasNext()) {
                    out.append("[]");
                    return;
                }
                out.append('[');
                boolean first = true;
                for (Object item : list) {
                    separator(out, first, indent, depth + 1);
                    write(out, item, indent, depth + 1);
                    first = false;
                }
                close(out, indent, depth);
                out.append(']');
            }
            case Object[] array -> write(out, java.util.Arrays.asList(array), indent, depth);
            default -> quote(out, value.toString());
        }
    }

    private static void separator(StringBuilder out, boolean first, int indent, int depth) {
        if (indent < 0) {
            if (!first) out.append(", ");
            return;
        }
        if (!first) out.append(',');
        out.append('\n').repeat(' ', indent * depth);
    }

    private static void close(StringBuilder out, int indent, int depth) {
        if (indent >= 0) {
            out.append('\n').repeat(' ', indent * depth);
        }
    }

    private static String pythonFloat(double d) {
        if (Double.isNaN(d)) return "NaN";
        if (Double.isInfinite(d)) return d > 0 ? "Infinity" : "-Infinity";
        if (d == Math.rint(d) && Math.abs(d) < 1e16) return String.format(java.util.Locale.ROOT, "%.1f", d);
        return Double.toString(d);
    }

    static void quote(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
