package dev.hearth.grammar;

import java.util.ArrayList;
import java.util.List;

/**
 * A set of characters of a JSON string's value as GBNF over its JSON text: characters that need no escape go in a
 * class, {@code "} {@code \} and the common control characters as their escapes; other control characters are left
 * out (the output stays a subset of the set, and always valid JSON).
 */
final class JsonCharSet {
    private JsonCharSet() {}

    static String toGbnf(List<int[]> ranges, boolean negated, String context) {
        List<int[]> set = CodePointSet.normalize(ranges);
        if (negated) {
            set = CodePointSet.complement(set);
        }
        List<int[]> safe = CodePointSet.subtract(set,
                List.of(new int[] {0, 0x1F}, new int[] {'"', '"'}, new int[] {'\\', '\\'}));
        List<String> alternatives = new ArrayList<>();
        if (!safe.isEmpty()) {
            if (safe.size() == 1 && safe.getFirst()[0] == safe.getFirst()[1]) {
                alternatives.add("\"" + JsonText.gbnfChar(safe.getFirst()[0], false) + "\"");
            } else {
                StringBuilder c = new StringBuilder("[");
                for (int[] r : safe) {
                    c.append(JsonText.gbnfChar(r[0], true));
                    if (r[1] > r[0]) {
                        c.append('-').append(JsonText.gbnfChar(r[1], true));
                    }
                }
                alternatives.add(c.append(']').toString());
            }
        }
        int[][] escapes = {{'"', '"'}, {'\\', '\\'}, {'\n', 'n'}, {'\t', 't'}, {'\r', 'r'}};
        for (int[] e : escapes) {
            if (contains(set, e[0])) {
                alternatives.add(JsonText.gbnfLiteral("\\" + (char) e[1]));
            }
        }
        if (alternatives.isEmpty()) {
            throw new GrammarException("pattern '" + context + "' has a character set that a JSON string cannot hold");
        }
        return alternatives.size() == 1 ? alternatives.getFirst() : "(" + String.join(" | ", alternatives) + ")";
    }

    private static boolean contains(List<int[]> set, int cp) {
        for (int[] r : set) {
            if (cp >= r[0] && cp <= r[1]) {
                return true;
            }
        }
        return false;
    }
}
