package dev.hearth.grammar;

import java.util.List;

/** Static checks on rules before matching: a left-recursive rule would expand forever, so it is refused. */
final class GrammarChecks {
    private GrammarChecks() {}

    static void rejectLeftRecursion(List<String> names, List<List<int[]>> rules) {
        int n = names.size();
        boolean[] nullable = nullable(rules);
        // edges: rule -> rules it can start with (after nullable prefixes)
        int[][] edges = new int[n][];
        for (int r = 0; r < n; r++) {
            java.util.BitSet targets = new java.util.BitSet(n);
            for (int[] alt : rules.get(r)) {
                for (int symbol : alt) {
                    if (!GrammarSymbol.isRef(symbol)) {
                        break;
                    }
                    int t = GrammarSymbol.target(symbol);
                    targets.set(t);
                    if (!nullable[t]) {
                        break;
                    }
                }
            }
            edges[r] = targets.stream().toArray();
        }
        byte[] color = new byte[n];
        for (int r = 0; r < n; r++) {
            if (color[r] == 0) {
                visit(r, edges, color, names);
            }
        }
    }

    private static void visit(int start, int[][] edges, byte[] color, List<String> names) {
        // iterative DFS: a grey node met again is a cycle
        int[] stack = new int[edges.length + 1];
        int[] next = new int[edges.length + 1];
        int depth = 0;
        stack[0] = start;
        next[0] = 0;
        color[start] = 1;
        while (depth >= 0) {
            int r = stack[depth];
            if (next[depth] < edges[r].length) {
                int t = edges[r][next[depth]++];
                if (color[t] == 1) {
                    throw new GrammarException("rule '" + names.get(t) + "' is left-recursive (it can reach itself "
                            + "without consuming input; a repetition of something that can match empty does this too)");
                }
                if (color[t] == 0) {
                    color[t] = 1;
                    depth++;
                    stack[depth] = t;
                    next[depth] = 0;
                }
            } else {
                color[r] = 2;
                depth--;
            }
        }
    }

    static boolean[] nullable(List<List<int[]>> rules) {
        boolean[] nullable = new boolean[rules.size()];
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int r = 0; r < rules.size(); r++) {
                if (nullable[r]) {
                    continue;
                }
                for (int[] alt : rules.get(r)) {
                    boolean all = true;
                    for (int symbol : alt) {
                        if (!GrammarSymbol.isRef(symbol) || !nullable[GrammarSymbol.target(symbol)]) {
                            all = false;
                            break;
                        }
                    }
                    if (all) {
                        nullable[r] = true;
                        changed = true;
                        break;
                    }
                }
            }
        }
        return nullable;
    }
}
