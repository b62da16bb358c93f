package dev.hearth.grammar;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Sets of code points as sorted, disjoint, non-adjacent ranges {from, to}. */
final class CodePointSet {
    private CodePointSet() {}

    static List<int[]> normalize(List<int[]> ranges) {
        List<int[]> sorted = new ArrayList<>(ranges);
        sorted.sort(Comparator.comparingInt(r -> r[0]));
        List<int[]> out = new ArrayList<>();
        for (int[] r : sorted) {
            if (r[0] > r[1]) {
                throw new GrammarException("character range " + describe(r[0]) + "-" + describe(r[1])
                        + " is reversed");
            }
            if (!out.isEmpty() && r[0] <= out.getLast()[1] + 1) {
                out.getLast()[1] = Math.max(out.getLast()[1], r[1]);
            } else {
                out.add(new int[] {r[0], r[1]});
            }
        }
        return out;
    }

    static List<int[]> complement(List<int[]> normalized) {
        List<int[]> out = new ArrayList<>();
        int next = 0;
        for (int[] r : normalized) {
            if (r[0] > next) {
                out.add(new int[] {next, r[0] - 1});
            }
            next = r[1] + 1;
        }
        if (next <= Utf8Ranges.MAX_CODE_POINT) {
            out.add(new int[] {next, Utf8Ranges.MAX_CODE_POINT});
        }
        return out;
    }

    /** normalized minus the normalized set {@code removed}. */
    static List<int[]> subtract(List<int[]> normalized, List<int[]> removed) {
        List<int[]> out = new ArrayList<>();
        List<int[]> keep = complement(normalize(removed));
        for (int[] a : normalized) {
            for (int[] b : keep) {
                int from = Math.max(a[0], b[0]);
                int to = Math.min(a[1], b[1]);
                if (from <= to) {
                    out.add(new int[] {from, to});
                }
            }
        }
        return out;
    }

    static String describe(int codePoint) {
        return codePoint >= 0x20 && codePoint < 0x7F ? "'" + (char) codePoint + "'" : String.format("U+%04X", codePoint);
    }
}
