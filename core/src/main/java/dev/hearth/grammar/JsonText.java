package dev.hearth.grammar;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/** Compact JSON text of schema values (Maps, Lists, Strings, Numbers, Booleans, null) and GBNF literal quoting. */
final class JsonText {
    private JsonText() {}

    static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out);
        return out.toString();
    }

    private static void write(Object value, StringBuilder out) {
        switch (value) {
            case null -> out.append("null");
            case String s -> quote(s, out);
            case Boolean b -> out.append(b);
            case Integer _, Long _, Short _, Byte _, BigInteger _ -> out.append(value);
            case BigDecimal d -> out.append(d.toString());
            case Number n -> {
                double d = n.doubleValue();
                if (!Double.isFinite(d)) {
                    throw new GrammarException("the number " + d + " has no JSON form");
                }
                out.append(BigDecimal.valueOf(d).toString());
            }
            case Map<?, ?> m -> {
                out.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!first) {
                        out.append(',');
                    }
                    first = false;
                    quote(String.valueOf(e.getKey()), out);
                    out.append(':');
                    write(e.getValue(), out);
                }
                out.append('}');
            }
            case List<?> l -> {
                out.append('[');
                for (int i = 0; i < l.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    write(l.get(i), out);
                }
                out.append(']');
            }
            default -> throw new GrammarException("a schema value of type " + value.getClass().getSimpleName()
                    + " is not JSON");
        }
    }

    static void quote(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** A GBNF string literal matching exactly {@code text}. */
    static String gbnfLiteral(String text) {
        StringBuilder out = new StringBuilder("\"");
        text.codePoints().forEach(cp -> out.append(gbnfChar(cp, false)));
        return out.append('"').toString();
    }

    /** One code point in a GBNF literal or character class, escaped where needed. */
    static String gbnfChar(int cp, boolean inClass) {
        if (cp == '"' || cp == '\\' || (inClass && (cp == ']' || cp == '^' || cp == '-' || cp == '['))) {
            return "\\" + (char) cp;
        }
        if (cp < 0x20 || cp == 0x7F) {
            return String.format("\\x%02X", cp);
        }
        if (cp >= 0xD800 && cp <= 0xDFFF || cp > 0xFFFF) {
            return String.format("\\U%08X", cp);
        }
        return new String(Character.toChars(cp));
    }
}
