package dev.hearth.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds special-token texts in user text, as llama.cpp's {@code tokenizer_st_partition}: tokens are taken longest
 * first (by UTF-8 length), each at its leftmost non-overlapping occurrences in what text is still unclaimed.
 * Immutable.
 */
final class SpecialTokenMatcher {
    private final int[] ids;
    private final String[] texts;
    /** Indices into ids/texts (longest first) of the tokens starting with a given char. */
    private final Map<Character, int[]> byFirstChar;
    /** Bit c is set when some token starts with char c: most text chars skip the map lookup. */
    private final long[] firstChars = new long[1024];

    /**
     * @param includeControl whether CONTROL and UNKNOWN tokens are matched (parse_special); USER_DEFINED tokens
     *                       always are
     */
    SpecialTokenMatcher(Vocabulary vocabulary, boolean includeControl) {
        List<Integer> chosen = new ArrayList<>();
        for (int id = 0; id < vocabulary.size(); id++) {
            TokenType type = vocabulary.type(id);
            boolean match = type == TokenType.USER_DEFINED || (includeControl && type.isSpecial());
            if (match && !vocabulary.text(id).isEmpty()) {
                chosen.add(id);
            }
        }
        chosen.sort((a, b) -> Integer.compare(utf8Length(vocabulary.text(b)), utf8Length(vocabulary.text(a))));
        ids = chosen.stream().mapToInt(Integer::intValue).toArray();
        texts = new String[ids.length];
        Map<Character, List<Integer>> groups = new HashMap<>();
        for (int i = 0; i < ids.length; i++) {
            texts[i] = vocabulary.text(ids[i]);
            char first = texts[i].charAt(0);
            groups.computeIfAbsent(first, k -> new ArrayList<>()).add(i);
            firstChars[first >>> 6] |= 1L << first;
        }
        byFirstChar = new HashMap<>();
        groups.forEach((c, list) -> byFirstChar.put(c, list.stream().mapToInt(Integer::intValue).toArray()));
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /**
     * Appends fragments of {@code text} as triples (start, end, id): id is the special token, or -1 for plain text.
     */
    void partition(String text, IntList fragments) {
        int n = text.length();
        if (n == 0) {
            return;
        }
        IntList matches = null;
        if (!byFirstChar.isEmpty()) {
            for (int pos = 0; pos < n; pos++) {
                char c = text.charAt(pos);
                if ((firstChars[c >>> 6] & (1L << c)) == 0) {
                    continue;
                }
                int[] candidates = byFirstChar.get(c);
                if (candidates == null) {
                    continue;
                }
                for (int k : candidates) {
                    if (text.startsWith(texts[k], pos)) {
                        if (matches == null) {
                            matches = new IntList(16);
                        }
                        matches.add(k);
                        matches.add(pos);
                    }
                }
            }
        }
        if (matches == null) {
            fragments.add(0);
            fragments.add(n);
            fragments.add(-1);
            return;
        }
        long[] order = new long[matches.size() / 2];
        for (int i = 0; i < order.length; i++) {
            order[i] = ((long) matches.get(2 * i) << 32) | matches.get(2 * i + 1);
        }
        Arrays.sort(order);
        int[] claimedBy = new int[n];
        Arrays.fill(claimedBy, -1);
        for (long o : order) {
            int k = (int) (o >>> 32);
            int pos = (int) o;
            int end = pos + texts[k].length();
            boolean free = true;
            for (int i = pos; i < end && free; i++) {
                free = claimedBy[i] < 0;
            }
            if (free) {
                Arrays.fill(claimedBy, pos, end, k);
            }
        }
        int start = 0;
        int pos = 0;
        while (pos < n) {
            int k = claimedBy[pos];
            if (k < 0) {
                pos++;
                continue;
            }
            if (pos > start) {
                fragments.add(start);
                fragments.add(pos);
                fragments.add(-1);
            }
            fragments.add(pos);
            fragments.add(pos + texts[k].length());
            fragments.add(ids[k]);
            pos += texts[k].length();
            start = pos;
        }
        if (start < n) {
            fragments.add(start);
            fragments.add(n);
            fragments.add(-1);
        }
    }
}
