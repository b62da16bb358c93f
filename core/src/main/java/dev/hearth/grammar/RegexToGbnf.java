package dev.hearth.grammar;

import java.util.ArrayList;
import java.util.List;

/**
 * Converts a regular expression (the common subset: literals and escapes, {@code .}, classes with ranges and
 * negation, {@code \d \w \s} and their negations, groups including {@code (?:...)}, alternation, {@code * + ?
 * {m} {m,} {m,n}}, and {@code ^}/{@code $} at the ends) into a GBNF expression for the content of a JSON string: the
 * generated text is the JSON encoding of a string that matches the whole pattern. Characters that JSON must escape
 * are emitted escaped ({@code "} and {@code \}) or left out (control characters), so the output is always a valid
 * string. Lookarounds, backreferences, word boundaries and Unicode properties are refused with a clear message.
 */
final class RegexToGbnf {
    private final String pattern;
    private int pos;

    private RegexToGbnf(String pattern) {
        this.pattern = pattern;
    }

    static String convert(String pattern) {
        RegexToGbnf p = new RegexToGbnf(pattern);
        if (pattern.startsWith("^")) {
            p.pos = 1;
        }
        String expr = p.alternation();
        if (p.pos < pattern.length() && pattern.charAt(p.pos) == '$' && p.pos == pattern.length() - 1) {
            p.pos++;
        }
        if (p.pos != pattern.length()) {
            throw p.error("unexpected '" + pattern.charAt(p.pos) + "'");
        }
        return expr;
    }

    private String alternation() {
        List<String> alternatives = new ArrayList<>();
        alternatives.add(concatenation());
        while (pos < pattern.length() && pattern.charAt(pos) == '|') {
            pos++;
            alternatives.add(concatenation());
        }
        return alternatives.size() == 1 ? alternatives.getFirst() : "(" + String.join(" | ", alternatives) + ")";
    }

    private String concatenation() {
        List<String> parts = new ArrayList<>();
        while (pos < pattern.length()) {
            char c = pattern.charAt(pos);
            if (c == '|' || c == ')') {
                break;
            }
            if (c == '$' && pos == pattern.length() - 1) {
                break;
            }
            String atom = atom();
            parts.add(atom + quantifier());
        }
        return parts.isEmpty() ? "\"\"" : parts.size() == 1 ? parts.getFirst() : "(" + String.join(" ", parts) + ")";
    }

    private String atom() {
        char c = pattern.charAt(pos);
        switch (c) {
            case '(' -> {
                pos++;
                if (pattern.startsWith("?:", pos)) {
                    pos += 2;
                } else if (pattern.startsWith("?<", pos) && pos + 2 < pattern.length()
                        && pattern.charAt(pos + 2) != '=' && pattern.charAt(pos + 2) != '!') {
                    pos = pattern.indexOf('>', pos) + 1;
                    if (pos == 0) {
                        throw error("unterminated group name");
                    }
                } else if (pos < pattern.length() && pattern.charAt(pos) == '?') {
                    throw error("lookarounds and inline flags are not supported");
                }
                String inner = alternation();
                if (pos >= pattern.length() || pattern.charAt(pos) != ')') {
                    throw error("missing ')'");
                }
                pos++;
                return "(" + inner + ")";
            }
            case '[' -> {
                return characterClass();
            }
            case '.' -> {
                pos++;
                return JsonCharSet.toGbnf(List.of(new int[] {'\n', '\n'}), true, pattern);
            }
            case '\\' -> {
                pos++;
                List<int[]> ranges = new ArrayList<>();
                boolean negated = escape(ranges, false);
                return JsonCharSet.toGbnf(ranges, negated, pattern);
            }
            case '^', '$' -> throw error("anchors are supported only at the start and end of the pattern");
            case '*', '+', '?', '{' -> throw error("'" + c + "' has nothing to repeat");
            default -> {
                int cp = pattern.codePointAt(pos);
                pos += Character.charCount(cp);
                return JsonCharSet.toGbnf(List.of(new int[] {cp, cp}), false, pattern);
            }
        }
    }

    private String characterClass() {
        pos++;
        boolean negated = pos < pattern.length() && pattern.charAt(pos) == '^';
        if (negated) {
            pos++;
        }
        List<int[]> ranges = new ArrayList<>();
        boolean first = true;
        while (pos < pattern.length() && (pattern.charAt(pos) != ']' || first)) {
            first = false;
            int from;
            if (pattern.charAt(pos) == '\\') {
                pos++;
                List<int[]> escaped = new ArrayList<>();
                if (escape(escaped, true)) {
                    throw error("negated escapes (\\D \\W \\S) inside a class are not supported");
                }
                if (escaped.size() != 1 || escaped.getFirst()[0] != escaped.getFirst()[1]) {
                    ranges.addAll(escaped);
                    continue;
                }
                from = escaped.getFirst()[0];
            } else {
                from = pattern.codePointAt(pos);
                pos += Character.charCount(from);
            }
            int to = from;
            if (pos + 1 < pattern.length() && pattern.charAt(pos) == '-' && pattern.charAt(pos + 1) != ']') {
                pos++;
                if (pattern.charAt(pos) == '\\') {
                    pos++;
                    List<int[]> escaped = new ArrayList<>();
                    escape(escaped, true);
                    to = escaped.getFirst()[0];
                } else {
                    to = pattern.codePointAt(pos);
                    pos += Character.charCount(to);
                }
            }
            ranges.add(new int[] {from, to});
        }
        if (pos >= pattern.length()) {
            throw error("missing ']'");
        }
        pos++;
        return JsonCharSet.toGbnf(ranges, negated, pattern);
    }

    /** Reads the escape after a backslash into ranges; returns whether the set is negated (\D \W \S). */
    private boolean escape(List<int[]> ranges, boolean inClass) {
        if (pos >= pattern.length()) {
            throw error("dangling backslash");
        }
        char e = pattern.charAt(pos++);
        switch (e) {
            case 'd', 'D' -> ranges.add(new int[] {'0', '9'});
            case 'w', 'W' -> {
                ranges.add(new int[] {'a', 'z'});
                ranges.add(new int[] {'A', 'Z'});
                ranges.add(new int[] {'0', '9'});
                ranges.add(new int[] {'_', '_'});
            }
            case 's', 'S' -> {
                ranges.add(new int[] {' ', ' '});
                ranges.add(new int[] {'\t', '\r'});
            }
            case 'n' -> ranges.add(new int[] {'\n', '\n'});
            case 't' -> ranges.add(new int[] {'\t', '\t'});
            case 'r' -> ranges.add(new int[] {'\r', '\r'});
            case 'f' -> ranges.add(new int[] {'\f', '\f'});
            case 'v' -> ranges.add(new int[] {0x0B, 0x0B});
            case 'u', 'x' -> {
                int digits = e == 'u' ? 4 : 2;
                if (pos + digits > pattern.length()) {
                    throw error("expected " + digits + " hex digits after \\" + e);
                }
                int cp = Integer.parseInt(pattern, pos, pos + digits, 16);
                pos += digits;
                ranges.add(new int[] {cp, cp});
            }
            case 'b', 'B' -> {
                if (inClass && e == 'b') {
                    ranges.add(new int[] {8, 8});
                } else {
                    throw error("word boundaries are not supported");
                }
            }
            case 'p', 'P' -> throw error("Unicode property classes are not supported");
            default -> {
                if (Character.isDigit(e)) {
                    throw error("backreferences are not supported");
                }
                if (Character.isLetter(e)) {
                    throw error("unknown escape \\" + e);
                }
                ranges.add(new int[] {e, e});
            }
        }
        return e == 'D' || e == 'W' || e == 'S';
    }

    private String quantifier() {
        if (pos >= pattern.length()) {
            return "";
        }
        char c = pattern.charAt(pos);
        String q;
        if (c == '*' || c == '+' || c == '?') {
            pos++;
            q = String.valueOf(c);
        } else if (c == '{' && pattern.indexOf('}', pos) > 0
                && pattern.substring(pos + 1, pattern.indexOf('}', pos)).matches("\\d*(,\\d*)?")) {
            int end = pattern.indexOf('}', pos);
            String body = pattern.substring(pos + 1, end);
            pos = end + 1;
            q = "{" + (body.startsWith(",") ? "0" + body : body) + "}";
        } else {
            return "";
        }
        if (pos < pattern.length() && pattern.charAt(pos) == '?') {
            pos++; // lazy: the same language
        } else if (pos < pattern.length() && pattern.charAt(pos) == '+') {
            throw error("possessive quantifiers are not supported");
        }
        return q;
    }

    private GrammarException error(String message) {
        return new GrammarException("pattern '" + pattern + "' at offset " + pos + ": " + message);
    }
}
