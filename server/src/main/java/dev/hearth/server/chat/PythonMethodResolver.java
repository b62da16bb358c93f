package dev.hearth.server.chat;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * The sandbox's method gate, placed in front of Jinjava's own resolver. Templates get Python's {@code str} methods
 * (which Java strings lack or spell differently) and the list/dict methods chat templates use; every other method
 * call on a value is refused, so a template cannot reach Java objects ({@code getClass()} and the like). Calls on
 * Jinjava's own filter and function objects pass through.
 */
final class PythonMethodResolver extends ELResolver {
    private static final Set<String> MAP_METHODS = Set.of("items", "keys", "values", "get", "update", "copy", "pop",
            "setdefault");
    private static final Set<String> LIST_METHODS = Set.of("append", "extend", "pop", "insert", "index", "count",
            "copy", "reverse", "sort", "clear", "remove");

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (base == null || method == null) {
            return null;
        }
        String name = method.toString();
        Object[] args = params == null ? new Object[0] : params;
        if (base instanceof String s) {
            context.setPropertyResolved(true);
            return stringMethod(s, name, args);
        }
        if (base instanceof Map<?, ?> && MAP_METHODS.contains(name)) {
            if (name.equals("get") && args.length == 2) {
                context.setPropertyResolved(true);
                Map<?, ?> map = (Map<?, ?>) base;
                return map.containsKey(args[0]) ? map.get(args[0]) : args[1];
            }
            return null; // Jinjava's PyMap handles it
        }
        if (base instanceof List<?> && LIST_METHODS.contains(name)) {
            return null; // Jinjava's PyList handles it
        }
        if (base instanceof com.hubspot.jinjava.lib.Importable || base.getClass().getName().startsWith("com.hubspot.jinjava.")) {
            return null; // filters, functions, loop objects
        }
        throw new IllegalStateException("method '" + name + "' is not available on "
                + typeName(base) + " in chat templates");
    }

    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        if (base instanceof String && property instanceof String) {
            context.setPropertyResolved(true); // no bean properties of java.lang.String
            return null;
        }
        return null;
    }

    static String typeName(Object value) {
        if (value instanceof String) return "a string";
        if (value instanceof Map<?, ?>) return "a mapping";
        if (value instanceof List<?>) return "a list";
        if (value instanceof Number) return "a number";
        if (value instanceof Boolean) return "a boolean";
        return "a value of type " + value.getClass().getSimpleName();
    }

    private static Object stringMethod(String s, String name, Object[] args) {
        return switch (name) {
            case "strip" -> rstrip(lstrip(s, charsArg(args)), charsArg(args));
            case "lstrip" -> lstrip(s, charsArg(args));
            case "rstrip" -> rstrip(s, charsArg(args));
            case "upper" -> s.toUpperCase(Locale.ROOT);
            case "lower" -> s.toLowerCase(Locale.ROOT);
            case "title" -> title(s);
            case "capitalize" -> s.isEmpty() ? s
                    : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
            case "startswith" -> s.startsWith(str(args, 0, name));
            case "endswith" -> s.endsWith(str(args, 0, name));
            case "replace" -> replace(s, str(args, 0, name), str(args, 1, name), args.length > 2 ? toInt(args[2]) : -1);
            case "split" -> split(s, args.length > 0 && args[0] != null ? str(args, 0, name) : null,
                    args.length > 1 ? toInt(args[1]) : -1);
            case "find" -> s.indexOf(str(args, 0, name));
            case "count" -> count(s, str(args, 0, name));
            case "join" -> join(s, args.length > 0 ? args[0] : null);
            case "isdigit" -> !s.isEmpty() && s.chars().allMatch(Character::isDigit);
            case "isspace" -> !s.isEmpty() && s.chars().allMatch(Character::isWhitespace);
            default -> throw new IllegalStateException("method '" + name + "' is not available on a string in chat templates");
        };
    }

    private static String charsArg(Object[] args) {
        return args.length > 0 && args[0] != null ? args[0].toString() : null;
    }

    private static String str(Object[] args, int index, String method) {
        if (args.length <= index || args[index] == null) {
            throw new IllegalArgumentException("str." + method + "() is missing argument " + (index + 1));
        }
        return args[index].toString();
    }

    private static int toInt(Object value) {
        if (value instanceof Number n) return n.intValue();
        return Integer.parseInt(value.toString());
    }

    private static boolean strips(String chars, char c) {
        return chars == null ? Character.isWhitespace(c) : chars.indexOf(c) >= 0;
    }

    static String lstrip(String s, String chars) {
        int start = 0;
        while (start < s.length() && strips(chars, s.charAt(start))) start++;
        return s.substring(start);
    }

    static String rstrip(String s, String chars) {
        int end = s.length();
        while (end > 0 && strips(chars, s.charAt(end - 1))) end--;
        return s.substring(0, end);
    }

    private static String title(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean previousCased = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean cased = Character.isLetter(c);
            out.append(cased ? (previousCased ? Character.toLowerCase(c) : Character.toUpperCase(c)) : c);
            previousCased = cased;
        }
        return out.toString();
    }

    private static String replace(String s, String old, String replacement, int maxCount) {
        if (maxCount < 0) return s.replace(old, replacement);
        StringBuilder out = new StringBuilder();
        int from = 0;
        for (int done = 0; done < maxCount; done++) {
            int at = s.indexOf(old, from);
            if (at < 0 || old.isEmpty()) break;
            out.append(s, from, at).append(replacement);
            from = at + old.length();
        }
        return out.append(s.substring(from)).toString();
    }

    /** Python str.split: by a literal separator, or on runs of whitespace when none is given. */
    static List<String> split(String s, String separator, int maxSplit) {
        List<String> parts = new ArrayList<>();
        if (separator == null) {
            String rest = lstrip(s, null);
            while (!rest.isEmpty()) {
                if (maxSplit >= 0 && parts.size() == maxSplit) {
                    parts.add(rest);
                    return parts;
                }
                int end = 0;
                while (end < rest.length() && !Character.isWhitespace(rest.charAt(end))) end++;
                parts.add(rest.substring(0, end));
                rest = lstrip(rest.substring(end), null);
            }
            return parts;
        }
        if (separator.isEmpty()) {
            throw new IllegalArgumentException("str.split(): empty separator");
        }
        int from = 0;
        while (maxSplit < 0 || parts.size() < maxSplit) {
            int at = s.indexOf(separator, from);
            if (at < 0) break;
            parts.add(s.substring(from, at));
            from = at + separator.length();
        }
        parts.add(s.substring(from));
        return parts;
    }

    private static int count(String s, String sub) {
        if (sub.isEmpty()) return s.length() + 1;
        int n = 0;
        for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) n++;
        return n;
    }

    private static String join(String separator, Object items) {
        if (!(items instanceof Iterable<?> iterable)) {
            throw new IllegalArgumentException("str.join() needs a list");
        }
        StringBuilder out = new StringBuilder();
        boolean first = true;
        for (Object item : iterable) {
            if (!first) out.append(separator);
            out.append(item);
            first = false;
        }
        return out.toString();
    }

    @Override public Class<?> getType(ELContext context, Object base, Object property) { return null; }
    @Override public void setValue(ELContext context, Object base, Object property, Object value) {}
    @Override public boolean isReadOnly(ELContext context, Object base, Object property) { return false; }
    @Override public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) { return null; }
    @Override public Class<?> getCommonPropertyType(ELContext context, Object base) { return Object.class; }
}
