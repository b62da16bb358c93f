package dev.hearth.grammar;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * GBNF rules for free text that is constrained only once a trigger word appears (llama.cpp's lazy grammars, but
 * exact): any text is allowed, and may end anywhere, until the first trigger word is complete; from there the output
 * must continue with that trigger's rule. The trigger is recognized on the text, whatever tokens spell it (one
 * added or control token, or several ordinary ones), and a token that would complete a trigger and go on with bytes
 * the trigger's rule rejects is masked like any other.
 *
 * <p>The text is run through the Aho-Corasick automaton of the trigger words: one rule per word prefix seen so far,
 * each continuing with a trigger's rule when a word completes. A leading trigger (a single character, such as
 * Llama 3's {@code {}) counts only as the first character that is not whitespace ({@link Character#isWhitespace}).
 */
public final class TriggeredText {
    private TriggeredText() {}

    /**
     * @param word the text that triggers (not empty)
     * @param then the rule that must follow the word
     * @param leading only as the first non-whitespace character (then {@code word} is one character)
     */
    public record Trigger(String word, String then, boolean leading) {
        public Trigger {
            if (word.isEmpty() || leading && word.codePointCount(0, word.length()) != 1) {
                throw new IllegalArgumentException("a trigger is a non-empty word, and a leading one one character: '"
                        + word + "'");
            }
        }
    }

    /**
     * The rules of text named {@code name} (and helper rules {@code name-0}, {@code name-1}, ...).
     *
     * @param mustTrigger the text must go on to a trigger (it cannot end before one)
     */
    public static String rules(String name, List<Trigger> triggers, boolean mustTrigger) {
        List<Trigger> anywhere = triggers.stream().filter(t -> !t.leading()).toList();
        List<Trigger> leading = triggers.stream().filter(Trigger::leading).toList();
        Map<String, Integer> states = new LinkedHashMap<>();
        states.put("", 0);
        TreeSet<Integer> chars = new TreeSet<>();
        for (Trigger t : anywhere) {
            for (int i = 1; i < t.word().length(); i++) {
                states.putIfAbsent(t.word().substring(0, i), states.size());
            }
            t.word().codePoints().forEach(chars::add);
        }
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, Integer> state : states.entrySet()) {
            List<String> alternatives = new ArrayList<>();
            for (int c : chars) {
                alternatives.add(step(name, state.getKey(), c, anywhere, states));
            }
            alternatives.add(anyBut(chars) + " " + name + "-0");
            if (!mustTrigger) {
                alternatives.add("\"\"");
            }
            out.append(name).append('-').append(state.getValue()).append(" ::= ")
                    .append(String.join(" | ", alternatives)).append('\n');
        }
        List<String> start = new ArrayList<>();
        if (leading.isEmpty()) {
            start.add(name + "-0");
        } else {
            List<Integer> whitespace = whitespace();
            TreeSet<Integer> excluded = new TreeSet<>(chars);
            excluded.addAll(whitespace);
            start.add(anyOf(whitespace) + " " + name);
            for (Trigger t : leading) {
                int c = t.word().codePointAt(0);
                if (excluded.contains(c)) {
                    throw new IllegalArgumentException("leading trigger '" + t.word() + "' is whitespace or part of"
                            + " another trigger");
                }
                excluded.add(c);
                start.add(JsonText.gbnfLiteral(t.word()) + " " + t.then());
            }
            for (int c : chars) {
                start.add(step(name, "", c, anywhere, states));
            }
            start.add(anyBut(excluded) + " " + name + "-0");
            if (!mustTrigger) {
                start.add("\"\"");
            }
        }
        return name + " ::= " + String.join(" | ", start) + "\n" + out;
    }

    /** Character {@code c} after the prefix {@code state}: a trigger's rule, or the state of the longest prefix. */
    private static String step(String name, String state, int c, List<Trigger> anywhere, Map<String, Integer> states) {
        String text = state + Character.toString(c);
        String literal = JsonText.gbnfLiteral(Character.toString(c));
        for (Trigger t : anywhere) {
            if (text.endsWith(t.word())) {
                return literal + " " + t.then();
            }
        }
        for (int from = 0; from <= text.length(); from++) {
            Integer next = states.get(text.substring(from));
            if (next != null) {
                return literal + " " + name + "-" + next;
            }
        }
        throw new AssertionError("the empty prefix is a state");
    }

    private static String anyBut(java.util.Collection<Integer> excluded) {
        if (excluded.isEmpty()) {
            return "[\\x00-\\U0010FFFF]";
        }
        StringBuilder sb = new StringBuilder("[^");
        for (int c : excluded) {
            sb.append(JsonText.gbnfChar(c, true));
        }
        return sb.append(']').toString();
    }

    private static String anyOf(List<Integer> chars) {
        StringBuilder sb = new StringBuilder("[");
        for (int c : chars) {
            sb.append(JsonText.gbnfChar(c, true));
        }
        return sb.append(']').toString();
    }

    /** The BMP characters {@link Character#isWhitespace} accepts. */
    private static List<Integer> whitespace() {
        List<Integer> out = new ArrayList<>();
        for (int c = 0; c <= 0xFFFF; c++) {
            if (Character.isWhitespace(c)) {
                out.add(c);
            }
        }
        return out;
    }
}
