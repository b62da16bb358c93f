package dev.hearth.grammar;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Builds one {@link Grammar} from GBNF text that refers to other, already compiled grammars by rule name: the
 * skeleton {@code root ::= "<call>" args-0 "</call>" | content} with {@code args-0} and {@code content} given as
 * grammars (a JSON schema's, a user's GBNF, ...). Each linked grammar keeps its own rules (renamed
 * {@code name/rule}), so rule names never clash and nothing is parsed twice.
 *
 * <p>Used for tool calls: per function, its arguments schema; around them the model family's call markup.
 */
public final class GrammarLinker {
    private GrammarLinker() {}

    /**
     * Compiles {@code gbnf} (start rule {@code root}) where each key of {@code linked} is a rule name that the text
     * uses but does not define; it matches what that grammar's root matches.
     */
    public static Grammar link(String gbnf, Map<String, Grammar> linked) {
        StringBuilder text = new StringBuilder(gbnf);
        if (!gbnf.endsWith("\n")) {
            text.append('\n');
        }
        for (String name : linked.keySet()) {
            text.append(name).append(" ::= \"\"\n");  // placeholder, replaced below
        }
        Grammar skeleton = Grammar.compile(text.toString());
        List<String> names = new ArrayList<>();
        List<List<int[]>> rules = new ArrayList<>();
        List<long[]> sets = new ArrayList<>();
        append(skeleton, "", names, rules, sets);
        StringBuilder source = new StringBuilder(text);
        for (Map.Entry<String, Grammar> e : linked.entrySet()) {
            int placeholder = names.indexOf(e.getKey());  // the skeleton keeps every rule it defines
            int offset = append(e.getValue(), e.getKey() + "/", names, rules, sets);
            rules.set(placeholder, List.<int[]>of(new int[] {GrammarSymbol.ref(offset + e.getValue().root)}));
            source.append("# ").append(e.getKey()).append(": linked grammar of ").append(e.getValue().ruleCount())
                    .append(" rules\n");
        }
        return Grammar.flatten(names, rules, sets, skeleton.root, source.toString());
    }

    /** {@code text} as a GBNF string literal (quoted, escaped). */
    public static String literal(String text) {
        return JsonText.gbnfLiteral(text);
    }

    /** Appends the rules of {@code g} with ids shifted past those already there; returns the shift. */
    private static int append(Grammar g, String prefix, List<String> names, List<List<int[]>> rules,
            List<long[]> sets) {
        int ruleOffset = rules.size();
        int setOffset = sets.size();
        for (int s = 0; s < g.byteSets.length / 4; s++) {
            sets.add(Arrays.copyOfRange(g.byteSets, s * 4, s * 4 + 4));
        }
        for (int r = 0; r < g.alternatives.length; r++) {
            names.add(prefix + g.ruleNames[r]);
            List<int[]> alternatives = new ArrayList<>();
            for (int start : g.alternatives[r]) {
                int end = start;
                while (g.kinds[end] != Grammar.END) {
                    end++;
                }
                int[] symbols = new int[end - start];
                for (int p = start; p < end; p++) {
                    symbols[p - start] = g.kinds[p] == Grammar.REF ? GrammarSymbol.ref(g.args[p] + ruleOffset)
                            : GrammarSymbol.byteSet(g.args[p] + setOffset);
                }
                alternatives.add(symbols);
            }
            rules.add(alternatives);
        }
        return ruleOffset;
    }
}
