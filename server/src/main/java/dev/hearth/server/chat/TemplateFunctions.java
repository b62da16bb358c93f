package dev.hearth.server.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.exptest.ExpTest;
import com.hubspot.jinjava.lib.filter.Filter;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The globals, filters and tests that Hugging Face chat templates expect on top of Jinja: {@code raise_exception},
 * {@code strftime_now}, a Python-style {@code tojson}, Python slicing with a step, and Python's notion of
 * "iterable" (strings are).
 */
final class TemplateFunctions {
    private TemplateFunctions() {}

    /** Thrown by {@code raise_exception(message)}: the template itself refused the input. */
    static final class RaisedException extends RuntimeException {
        RaisedException(String message) {
            super(message);
        }
    }

    public static Object raiseException(Object message) {
        throw new RaisedException(String.valueOf(message));
    }

    public static String strftimeNow(String format) {
        JinjavaInterpreter interpreter = JinjavaInterpreter.getCurrent();
        long millis = interpreter.getConfig().getDateTimeProvider().getCurrentTimeMillis();
        ZonedDateTime now = Instant.ofEpochMilli(millis).atZone(interpreter.getConfig().getTimeZone());
        return Strftime.format(format, now);
    }

    /** {@code value[start:stop:step]} with Python semantics (negative indices and steps), for lists and strings. */
    public static Object slice(Object value, Object start, Object stop, Object step) {
        int stepValue = step == null ? 1 : ((Number) step).intValue();
        if (stepValue == 0) {
            throw new IllegalArgumentException("slice step cannot be zero");
        }
        List<Object> items = new ArrayList<>();
        String string = value instanceof String s ? s : null;
        if (string != null) {
            string.chars().forEach(c -> items.add(String.valueOf((char) c)));
        } else if (value instanceof Collection<?> c) {
            items.addAll(c);
        } else {
            throw new IllegalArgumentException("cannot slice " + PythonMethodResolver.typeName(value));
        }
        int n = items.size();
        int from;
        int to;
        if (stepValue > 0) {
            from = bound(start, 0, n, 0, n);
            to = bound(stop, n, n, 0, n);
        } else {
            from = bound(start, n - 1, n, -1, n - 1);
            to = bound(stop, -1, n, -1, n - 1);
        }
        List<Object> out = new ArrayList<>();
        for (int i = from; stepValue > 0 ? i < to : i > to; i += stepValue) {
            out.add(items.get(i));
        }
        if (string != null) {
            StringBuilder sb = new StringBuilder();
            out.forEach(sb::append);
            return sb.toString();
        }
        return out;
    }

    private static int bound(Object index, int fallback, int n, int low, int high) {
        if (index == null) {
            return fallback;
        }
        int i = ((Number) index).intValue();
        if (i < 0) {
            i += n;
        }
        return Math.max(low, Math.min(high, i));
    }

    /** {@code tojson(indent=None)}: Python {@code json.dumps} output (see {@link PythonJson}). */
    static final class ToJsonFilter implements Filter {
        @Override
        public String getName() {
            return "tojson";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            return filter(var, interpreter, (Object[]) args, Map.of());
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            Object indent = kwargs.getOrDefault("indent", args.length > 0 ? args[0] : null);
            int spaces = indent == null ? -1 : Integer.parseInt(indent.toString());
            return PythonJson.dumps(var, spaces);
        }
    }

    /** Python's {@code is iterable}: strings, lists and mappings are. */
    static final class IterableTest implements ExpTest {
        @Override
        public String getName() {
            return "iterable";
        }

        @Override
        public boolean evaluate(Object var, JinjavaInterpreter interpreter, Object... args) {
            return var instanceof String || var instanceof Iterable<?> || var instanceof Map<?, ?>
                    || (var != null && var.getClass().isArray());
        }
    }
}
