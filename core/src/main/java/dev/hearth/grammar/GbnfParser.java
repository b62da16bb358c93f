package dev.hearth.grammar;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses llama.cpp's GBNF: {@code name ::= alternatives} rules (one per line; newlines are allowed inside
 * parentheses and after {@code |}), string literals with escapes ({@code \n \t \r \\ \" \xHH \\uHHHH \UHHHHHHHH}),
 * character classes with ranges and {@code ^} negation, {@code .} (any character), groups, {@code * + ?} and
 * {@code {m} {m,} {m,n} {,n}}, and {@code #} comments. Errors name the line and column.
 */
final class GbnfParser {
    private static final int MAX_REPEAT = 10_000;

    private final String text;
    private final GrammarBuilder builder = new GrammarBuilder();
    private int pos;

    private GbnfParser(String text) {
        this.text = text;
    }

    static ParsedRules parse(String text, String rootRule) {
        GbnfParser parser = new GbnfParser(text);
        parser.parseRules();
        return parser.builder.build(rootRule);
    }

    private void parseRules() {
        skipSpace(true);
        if (pos >= text.length()) {
            throw error("the grammar is empty");
        }
        while (pos < text.length()) {
            String name = parseName();
            skipSpace(false);
            if (!text.startsWith("::=", pos)) {
                throw error("expected '::=' after rule name '" + name + "'");
            }
            pos += 3;
            skipSpace(true);
            int rule = builder.rule(name);
            if (builder.isDefined(name)) {
                throw error("rule '" + name + "' is defined twice");
            }
            builder.define(rule, parseAlternatives(name, false));
            if (pos < text.length() && text.charAt(pos) != '\n' && text.charAt(pos) != '\r') {
                throw error("unexpected '" + text.charAt(pos) + "'");
            }
            skipSpace(true);
        }
    }

    private List<int[]> parseAlternatives(String rule, boolean nested) {
        List<int[]> alternatives = new ArrayList<>();
        alternatives.add(parseSequence(rule, nested));
        while (continuesWithBar()) {
            pos++;
            skipSpace(true);
            alternatives.add(parseSequence(rule, nested));
        }
        return alternatives;
    }

    /** At a '|', or (an extension of llama.cpp's syntax) at a line break followed by a line that starts with '|'. */
    private boolean continuesWithBar() {
        int save = pos;
        skipSpace(true);
        if (pos < text.length() && text.charAt(pos) == '|') {
            return true;
        }
        pos = save;
        return false;
    }

    private int[] parseSequence(String rule, boolean nested) {
        GrammarBuilder.IntListBuilder out = new GrammarBuilder.IntListBuilder();
        int lastStart = -1;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            int start = out.size();
            if (c == '"') {
                pos++;
                while (pos < text.length() && text.charAt(pos) != '"' && text.charAt(pos) != '\n') {
                    builder.literal(parseChar(), out);
                }
                expect('"', "unterminated string literal");
                lastStart = start;
            } else if (c == '[') {
                pos++;
                boolean negated = pos < text.length() && text.charAt(pos) == '^';
                if (negated) {
                    pos++;
                }
                List<int[]> ranges = new ArrayList<>();
                while (pos < text.length() && text.charAt(pos) != ']') {
                    int from = parseChar();
                    int to = from;
                    if (pos + 1 < text.length() && text.charAt(pos) == '-' && text.charAt(pos + 1) != ']') {
                        pos++;
                        to = parseChar();
                    }
                    ranges.add(new int[] {from, to});
                }
                expect(']', "unterminated character class");
                if (ranges.isEmpty() && !negated) {
                    throw error("empty character class");
                }
                out.add(builder.charClass(rule, ranges, negated));
                lastStart = start;
            } else if (c == '.') {
                pos++;
                out.add(builder.charClass(rule, List.of(), true));
                lastStart = start;
            } else if (isWordChar(c)) {
                String name = parseName();
                out.add(GrammarSymbol.ref(builder.rule(name)));
                lastStart = start;
            } else if (c == '(') {
                pos++;
                skipSpace(true);
                int group = builder.helper(rule);
                List<int[]> alternatives = parseAlternatives(rule, true);
                expect(')', "expected ')'");
                builder.define(group, alternatives);
                out.add(GrammarSymbol.ref(group));
                lastStart = start;
            } else if (c == '*' || c == '+' || c == '?' || c == '{') {
                if (lastStart < 0) {
                    throw error("'" + c + "' has nothing to repeat");
                }
                pos++;
                int min;
                int max;
                if (c == '*') {
                    min = 0;
                    max = -1;
                } else if (c == '+') {
                    min = 1;
                    max = -1;
                } else if (c == '?') {
                    min = 0;
                    max = 1;
                } else {
                    skipSpace(nested);
                    min = peekDigit() ? parseInt() : 0;
                    skipSpace(nested);
                    if (pos < text.length() && text.charAt(pos) == ',') {
                        pos++;
                        skipSpace(nested);
                        max = peekDigit() ? parseInt() : -1;
                    } else {
                        max = min;
                    }
                    skipSpace(nested);
                    expect('}', "expected '}' to close a repetition");
                    if (max >= 0 && max < min) {
                        throw error("repetition {" + min + "," + max + "} has max below min");
                    }
                }
                int[] element = out.slice(lastStart);
                out.truncate(lastStart);
                if (element.length == 0) {
                    throw error("'" + c + "' repeats an empty literal");
                }
                out.addAll(builder.repeat(rule, element, min, max));
                lastStart = -1;
            } else {
                break;
            }
            skipSpace(nested);
        }
        return out.toArray();
    }

    private int parseChar() {
        if (pos >= text.length()) {
            throw error("unexpected end of grammar");
        }
        char c = text.charAt(pos);
        if (c != '\\') {
            int cp = text.codePointAt(pos);
            pos += Character.charCount(cp);
            return cp;
        }
        if (pos + 1 >= text.length()) {
            throw error("dangling escape");
        }
        char e = text.charAt(pos + 1);
        pos += 2;
        return switch (e) {
            case 'n' -> '\n';
            case 't' -> '\t';
            case 'r' -> '\r';
            case 'x' -> parseHex(2);
            case 'u' -> parseHex(4);
            case 'U' -> parseHex(8);
            case '\\', '"', '[', ']', '-', '^', '/', '\'', '.', '(', ')', '|', '*', '+', '?', '{', '}' -> e;
            default -> throw error("unknown escape '\\" + e + "'");
        };
    }

    private int parseHex(int digits) {
        if (pos + digits > text.length()) {
            throw error("expected " + digits + " hex digits");
        }
        int value;
        try {
            value = Integer.parseUnsignedInt(text, pos, pos + digits, 16);
        } catch (NumberFormatException e) {
            throw error("expected " + digits + " hex digits");
        }
        pos += digits;
        if (value > Utf8Ranges.MAX_CODE_POINT) {
            throw error("code point " + Integer.toHexString(value) + " is beyond U+10FFFF");
        }
        return value;
    }

    private boolean peekDigit() {
        return pos < text.length() && Character.isDigit(text.charAt(pos));
    }

    private int parseInt() {
        int start = pos;
        while (peekDigit()) {
            pos++;
        }
        long value = Long.parseLong(text.substring(start, Math.min(pos, start + 12)));
        if (value > MAX_REPEAT) {
            throw error("repetition count " + value + " is above " + MAX_REPEAT);
        }
        return (int) value;
    }

    private String parseName() {
        int start = pos;
        while (pos < text.length() && isWordChar(text.charAt(pos))) {
            pos++;
        }
        if (pos == start) {
            throw error("expected a rule name");
        }
        return text.substring(start, pos);
    }

    private static boolean isWordChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_';
    }

    private void expect(char c, String message) {
        if (pos >= text.length() || text.charAt(pos) != c) {
            throw error(message);
        }
        pos++;
    }

    private void skipSpace(boolean newlines) {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == ' ' || c == '\t' || (newlines && (c == '\n' || c == '\r'))) {
                pos++;
            } else if (c == '#') {
                while (pos < text.length() && text.charAt(pos) != '\n') {
                    pos++;
                }
            } else {
                return;
            }
        }
    }

    private GrammarException error(String message) {
        int line = 1;
        int column = 1;
        for (int i = 0; i < Math.min(pos, text.length()); i++) {
            if (text.charAt(i) == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
        return new GrammarException("GBNF line " + line + ", column " + column + ": " + message);
    }
}
