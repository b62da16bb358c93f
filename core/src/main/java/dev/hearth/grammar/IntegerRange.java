package dev.hearth.grammar;

import java.util.ArrayList;
import java.util.List;

/**
 * GBNF for the decimal integers in [lo, hi] (either bound may be null: unbounded), without leading zeros, with at
 * most 16 digits like {@code integer}: numbers are split by digit count, then by leading digit.
 */
final class IntegerRange {
    private static final long LIMIT = 9_999_999_999_999_999L;

    private IntegerRange() {}

    static String toGbnf(Long lo, Long hi) {
        long low = lo == null ? -LIMIT : Math.max(lo, -LIMIT);
        long high = hi == null ? LIMIT : Math.min(hi, LIMIT);
        if (low > high) {
            throw new GrammarException("no integer of at most 16 digits in [" + lo + ", " + hi + "]");
        }
        List<String> alternatives = new ArrayList<>();
        if (low < 0) {
            // -x for x in [max(1, -high), -low]
            alternatives.add("\"-\" " + nonNegative(Math.max(1, -high), -low));
        }
        if (high >= 0) {
            alternatives.add(nonNegative(Math.max(0, low), high));
        }
        return alternatives.size() == 1 ? alternatives.getFirst() : "( " + String.join(" | ", alternatives) + " )";
    }

    /** 0 <= a <= b. */
    private static String nonNegative(long a, long b) {
        List<String> alternatives = new ArrayList<>();
        int from = digits(a);
        int to = digits(b);
        for (int length = from; length <= to; length++) {
            long lower = length == 1 ? 0 : pow10(length - 1);
            long upper = pow10(length) - 1;
            long x = Math.max(a, lower);
            long y = Math.min(b, upper);
            if (x <= y) {
                alternatives.add(sameLength(Long.toString(x), Long.toString(y)));
            }
        }
        return alternatives.size() == 1 ? alternatives.getFirst() : "( " + String.join(" | ", alternatives) + " )";
    }

    /** Strings of one length between x and y, digit by digit. */
    private static String sameLength(String x, String y) {
        int n = x.length();
        if (n == 0) {
            return "\"\"";
        }
        char a = x.charAt(0);
        char b = y.charAt(0);
        String restX = x.substring(1);
        String restY = y.substring(1);
        if (a == b) {
            return "\"" + a + "\" " + sameLength(restX, restY);
        }
        List<String> alternatives = new ArrayList<>();
        boolean xFull = restX.chars().allMatch(c -> c == '0');
        boolean yFull = restY.chars().allMatch(c -> c == '9');
        char firstMid = xFull ? a : (char) (a + 1);
        char lastMid = yFull ? b : (char) (b - 1);
        if (!xFull) {
            alternatives.add("\"" + a + "\" " + sameLength(restX, "9".repeat(n - 1)));
        }
        if (firstMid <= lastMid) {
            alternatives.add("[" + firstMid + "-" + lastMid + "]" + (n > 1 ? " [0-9]{" + (n - 1) + "}" : ""));
        }
        if (!yFull) {
            alternatives.add("\"" + b + "\" " + sameLength("0".repeat(n - 1), restY));
        }
        return alternatives.size() == 1 ? alternatives.getFirst() : "( " + String.join(" | ", alternatives) + " )";
    }

    private static int digits(long v) {
        return Long.toString(v).length();
    }

    private static long pow10(int n) {
        long p = 1;
        for (int i = 0; i < n; i++) {
            p *= 10;
        }
        return p;
    }
}
