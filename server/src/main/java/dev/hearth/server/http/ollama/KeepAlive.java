package dev.hearth.server.http.ollama;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.server.http.api.ApiException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ollama's {@code keep_alive}: a number of seconds, or a duration such as {@code "5m"}, {@code "1h30m"},
 * {@code "300ms"}; negative keeps the model loaded for good, zero unloads it after the request.
 */
final class KeepAlive {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

    private KeepAlive() {}

    /** Null when the field is absent. */
    static Duration parse(JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isNumber()) {
            return Duration.ofMillis(Math.round(value.doubleValue() * 1000));
        }
        if (!value.isTextual()) {
            throw bad(value.toString());
        }
        String text = value.textValue().strip();
        if (text.isEmpty()) {
            return null;
        }
        if (text.matches("-?\\d+(\\.\\d+)?")) {
            return Duration.ofMillis(Math.round(Double.parseDouble(text) * 1000));
        }
        boolean negative = text.startsWith("-");
        String rest = negative ? text.substring(1) : text;
        Matcher m = PART.matcher(rest);
        long nanos = 0;
        int at = 0;
        while (at < rest.length() && m.find(at) && m.start() == at) {
            double amount = Double.parseDouble(m.group(1));
            double unit = switch (m.group(2)) {
                case "ns" -> 1;
                case "us", "µs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            };
            nanos += Math.round(amount * unit);
            at = m.end();
        }
        if (at != rest.length()) {
            throw bad(text);
        }
        return Duration.ofNanos(negative ? -nanos : nanos);
    }

    private static ApiException bad(String text) {
        return ApiException.badParam("keep_alive", "'keep_alive' must be seconds or a duration like \"5m\" or"
                + " \"1h\" (negative: forever), got " + text);
    }
}
