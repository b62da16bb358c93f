package dev.hearth.server.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites Python-Jinja source into source Jinjava renders the same way, without looking at which model the
 * template belongs to:
 * <ul>
 *   <li>whitespace control is done here, as Jinja does it with {@code trim_blocks} and {@code lstrip_blocks} on (the
 *       Hugging Face settings): {@code {{-}}/{@code -}}} (which Jinjava ignores on expressions), {@code {%-}/{@code -%}},
 *       {@code {#-}/{@code -#}}, stripping a block tag's indentation and the newline after it;</li>
 *   <li>comments are dropped;</li>
 *   <li>slices with a step ({@code messages[::-1]}) become {@code hearth_slice(x, start, stop, step)} (Jinjava parses
 *       {@code [a:b]} but not the step form);</li>
 *   <li>one trailing newline is dropped, as Jinja does by default ({@code keep_trailing_newline=False}).</li>
 * </ul>
 */
final class TemplateSource {
    private TemplateSource() {}

    private enum Kind { TEXT, EXPRESSION, BLOCK, COMMENT }

    private static final class Segment {
        final Kind kind;
        String body;
        final boolean leftDash;
        final boolean leftPlus;
        final boolean rightDash;

        Segment(Kind kind, String body, boolean leftDash, boolean leftPlus, boolean rightDash) {
            this.kind = kind;
            this.body = body;
            this.leftDash = leftDash;
            this.leftPlus = leftPlus;
            this.rightDash = rightDash;
        }
    }

    private static final Pattern STEP_SLICE = Pattern.compile(
            "([A-Za-z_][A-Za-z0-9_]*(?:\\.[A-Za-z_][A-Za-z0-9_]*|\\[[^\\[\\]:]*\\])*)"
                    + "\\[\\s*(-?[A-Za-z0-9_]*)\\s*:\\s*(-?[A-Za-z0-9_]*)\\s*:\\s*(-?[A-Za-z0-9_]*)\\s*\\]");

    static String prepare(String template) {
        String source = template.endsWith("\n") ? template.substring(0, template.length() - 1) : template;
        List<Segment> segments = split(source);
        for (int i = 0; i < segments.size(); i++) {
            Segment s = segments.get(i);
            if (s.kind == Kind.TEXT) {
                continue;
            }
            boolean block = s.kind != Kind.EXPRESSION;
            Segment before = i > 0 && segments.get(i - 1).kind == Kind.TEXT ? segments.get(i - 1) : null;
            Segment after = i + 1 < segments.size() && segments.get(i + 1).kind == Kind.TEXT ? segments.get(i + 1) : null;
            if (before != null) {
                if (s.leftDash) {
                    before.body = PythonMethodResolver.rstrip(before.body, null);
                } else if (block && !s.leftPlus) {
                    before.body = stripIndentation(before.body, i == 1);
                }
            }
            if (after != null) {
                if (s.rightDash) {
                    after.body = PythonMethodResolver.lstrip(after.body, null);
                } else if (block) {
                    after.body = after.body.startsWith("\r\n") ? after.body.substring(2)
                            : after.body.startsWith("\n") ? after.body.substring(1) : after.body;
                }
            }
        }
        StringBuilder out = new StringBuilder(source.length());
        for (Segment s : segments) {
            switch (s.kind) {
                case TEXT -> out.append(s.body);
                case EXPRESSION -> out.append("{{").append(rewrite(s.body)).append("}}");
                case BLOCK -> out.append("{%").append(rewrite(s.body)).append("%}");
                case COMMENT -> { }
            }
        }
        return out.toString();
    }

    /** lstrip_blocks: spaces and tabs between the start of the line and a block tag are removed. */
    private static String stripIndentation(String text, boolean startOfTemplate) {
        int end = text.length();
        int start = end;
        while (start > 0 && (text.charAt(start - 1) == ' ' || text.charAt(start - 1) == '\t')) {
            start--;
        }
        boolean atLineStart = start == 0 ? startOfTemplate : text.charAt(start - 1) == '\n';
        return atLineStart ? text.substring(0, start) : text;
    }

    private static List<Segment> split(String source) {
        List<Segment> segments = new ArrayList<>();
        int pos = 0;
        while (pos < source.length()) {
            int open = nextOpen(source, pos);
            if (open < 0) {
                segments.add(new Segment(Kind.TEXT, source.substring(pos), false, false, false));
                break;
            }
            segments.add(new Segment(Kind.TEXT, source.substring(pos, open), false, false, false));
            char type = source.charAt(open + 1);
            Kind kind = type == '{' ? Kind.EXPRESSION : type == '%' ? Kind.BLOCK : Kind.COMMENT;
            String close = type == '{' ? "}}" : type == '%' ? "%}" : "#}";
            int end = findClose(source, open + 2, close, kind != Kind.COMMENT);
            if (end < 0) {
                throw new ChatTemplateException("unclosed '" + source.substring(open, open + 2) + "' at offset " + open);
            }
            String body = source.substring(open + 2, end);
            boolean leftDash = body.startsWith("-");
            boolean leftPlus = body.startsWith("+");
            boolean rightDash = body.endsWith("-");
            if (leftDash || leftPlus) body = body.substring(1);
            if (rightDash || body.endsWith("+")) body = body.substring(0, body.length() - 1);
            segments.add(new Segment(kind, body, leftDash, leftPlus, rightDash));
            pos = end + 2;
            if (kind == Kind.BLOCK && body.strip().equals("raw")) {
                int endRaw = source.indexOf("endraw", pos);
                int rawClose = endRaw < 0 ? -1 : source.lastIndexOf("{%", endRaw);
                if (rawClose < 0) {
                    throw new ChatTemplateException("{% raw %} without {% endraw %} at offset " + open);
                }
                segments.add(new Segment(Kind.TEXT, source.substring(pos, rawClose), false, false, false));
                pos = rawClose;
            }
        }
        return segments;
    }

    private static int nextOpen(String source, int from) {
        for (int i = source.indexOf('{', from); i >= 0 && i + 1 < source.length(); i = source.indexOf('{', i + 1)) {
            char next = source.charAt(i + 1);
            if (next == '{' || next == '%' || next == '#') {
                return i;
            }
        }
        return -1;
    }

    private static int findClose(String source, int from, String close, boolean quotes) {
        char quote = 0;
        for (int i = from; i + 1 < source.length(); i++) {
            char c = source.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (quotes && (c == '\'' || c == '"')) {
                quote = c;
            } else if (source.startsWith(close, i)) {
                return i;
            }
        }
        return -1;
    }

    private static String rewrite(String expression) {
        return parenthesizeNot(parenthesizeKeywordArguments(rewriteSlices(expression)));
    }

    private static final Pattern NOT = Pattern.compile("(?<![A-Za-z0-9_.])not\\s+(?!in\\b)");
    private static final Pattern STOP_WORD = Pattern.compile("\\s(and|or|if|else)(?![A-Za-z0-9_])");

    /**
     * {@code not a|length == 1} becomes {@code not (a|length == 1)}: in Python Jinja {@code not} binds looser than
     * comparisons and tests, in Jinjava tighter. The operand runs to the next {@code and}, {@code or}, {@code if},
     * {@code else}, comma or closing bracket at the same depth.
     */
    static String parenthesizeNot(String expression) {
        StringBuilder out = new StringBuilder(expression);
        int searchFrom = 0;
        while (true) {
            Matcher m = NOT.matcher(out);
            int at = -1;
            while (m.find(searchFrom)) {
                if (!insideQuotes(out, m.start()) && !precededByIs(out, m.start())) {
                    at = m.end();
                    break;
                }
                searchFrom = m.end();
            }
            if (at < 0) {
                return out.toString();
            }
            int end = operandEnd(out, at);
            out.insert(end, ')');
            out.insert(at, '(');
            searchFrom = at + 1;
        }
    }

    private static boolean precededByIs(CharSequence s, int index) {
        int j = index - 1;
        while (j >= 0 && s.charAt(j) == ' ') j--;
        return j >= 1 && s.charAt(j) == 's' && s.charAt(j - 1) == 'i' && (j < 2 || !Character.isLetterOrDigit(s.charAt(j - 2)));
    }

    private static boolean insideQuotes(CharSequence s, int index) {
        char quote = 0;
        for (int i = 0; i < index; i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == '\\') i++;
                else if (c == quote) quote = 0;
            } else if (c == '\'' || c == '"') {
                quote = c;
            }
        }
        return quote != 0;
    }

    private static int operandEnd(CharSequence s, int from) {
        int depth = 0;
        char quote = 0;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == '\\') i++;
                else if (c == quote) quote = 0;
                continue;
            }
            switch (c) {
                case '\'', '"' -> quote = c;
                case '(', '[', '{' -> depth++;
                case ')', ']', '}' -> {
                    if (depth == 0) return i;
                    depth--;
                }
                case ',' -> {
                    if (depth == 0) return i;
                }
                default -> {
                    if (depth == 0 && Character.isWhitespace(c)) {
                        Matcher stop = STOP_WORD.matcher(s).region(i, s.length());
                        if (stop.lookingAt()) return i;
                    }
                }
            }
        }
        int end = s.length();
        while (end > from && Character.isWhitespace(s.charAt(end - 1))) end--;
        return end;
    }

    /**
     * {@code f(a=x|length - 1)} becomes {@code f(a=(x|length - 1))}: Jinjava binds a keyword argument tighter than
     * the operators in its value, Python does not.
     */
    static String parenthesizeKeywordArguments(String expression) {
        StringBuilder out = new StringBuilder(expression.length() + 8);
        // per open bracket: its character, and whether a keyword value is open at that depth
        char[] brackets = new char[64];
        boolean[] valueOpen = new boolean[64];
        int depth = 0;
        char quote = 0;
        for (int i = 0; i < expression.length(); i++) {
            char c = expression.charAt(i);
            if (quote != 0) {
                out.append(c);
                if (c == '\\' && i + 1 < expression.length()) {
                    out.append(expression.charAt(++i));
                } else if (c == quote) {
                    quote = 0;
                }
                continue;
            }
            switch (c) {
                case '\'', '"' -> quote = c;
                case '(', '[', '{' -> {
                    if (depth == brackets.length) {
                        return expression; // absurdly deep: leave it to the parser
                    }
                    brackets[depth] = c;
                    valueOpen[depth++] = false;
                }
                case ')', ']', '}' -> {
                    if (depth > 0) {
                        if (valueOpen[depth - 1]) out.append(')');
                        depth--;
                    }
                }
                case ',' -> {
                    if (depth > 0 && valueOpen[depth - 1]) {
                        out.append(')');
                        valueOpen[depth - 1] = false;
                    }
                }
                case '=' -> {
                    boolean comparison = (i + 1 < expression.length() && expression.charAt(i + 1) == '=')
                            || (i > 0 && "=!<>".indexOf(expression.charAt(i - 1)) >= 0);
                    if (!comparison && depth > 0 && brackets[depth - 1] == '(' && !valueOpen[depth - 1]
                            && precededByName(expression, i)) {
                        out.append("=(");
                        valueOpen[depth - 1] = true;
                        continue;
                    }
                }
                default -> { }
            }
            out.append(c);
        }
        return out.toString();
    }

    private static boolean precededByName(String s, int equals) {
        int j = equals - 1;
        while (j >= 0 && s.charAt(j) == ' ') j--;
        int end = j;
        while (j >= 0 && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) j--;
        if (end == j || Character.isDigit(s.charAt(j + 1))) return false;
        while (j >= 0 && s.charAt(j) == ' ') j--;
        return j >= 0 && (s.charAt(j) == '(' || s.charAt(j) == ',');
    }

    private static String rewriteSlices(String expression) {
        Matcher m = STEP_SLICE.matcher(expression);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String call = "hearth_slice(" + m.group(1) + ", " + orNone(m.group(2)) + ", " + orNone(m.group(3)) + ", "
                    + orNone(m.group(4)) + ")";
            m.appendReplacement(out, Matcher.quoteReplacement(call));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String orNone(String part) {
        return part.isEmpty() ? "none" : part;
    }
}
