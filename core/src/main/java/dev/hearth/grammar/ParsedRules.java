package dev.hearth.grammar;

import java.util.List;

/**
 * A grammar's rules as the parser leaves them, checked (all defined, no left recursion), for {@link Grammar} to
 * flatten: rule names, each rule's alternatives as {@link GrammarSymbol} sequences, the byte sets (4 longs each) and
 * the root rule's id. Handed over as a value so that the parser does not depend back on {@link Grammar}.
 */
record ParsedRules(List<String> names, List<List<int[]>> rules, List<long[]> sets, int root) {}
