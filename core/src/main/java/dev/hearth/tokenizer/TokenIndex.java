package dev.hearth.tokenizer;

import java.util.Arrays;

/**
 * Token ids by their text: an open-addressing table of ids over the token array, hashed as {@link String#hashCode}
 * so that a region of a larger string or a char buffer can be looked up without making a string. The last id wins
 * when several tokens share a text. Immutable after construction.
 */
final class TokenIndex {
    private final String[] tokens;
    private final int[] slots;
    private final int mask;
    private final int shift;
    private final boolean duplicates;

    TokenIndex(String[] tokens) {
        this.tokens = tokens;
        int capacity = Integer.highestOneBit(Math.max(16, tokens.length * 2 - 1)) << 1;
        slots = new int[capacity];
        Arrays.fill(slots, -1);
        mask = capacity - 1;
        shift = Integer.numberOfLeadingZeros(capacity) + 1;
        boolean dup = false;
        for (int id = 0; id < tokens.length; id++) {
            String t = tokens[id];
            int slot = slot(t.hashCode());
            while (slots[slot] >= 0 && !tokens[slots[slot]].equals(t)) {
                slot = (slot + 1) & mask;
            }
            dup |= slots[slot] >= 0;
            slots[slot] = id;
        }
        duplicates = dup;
    }

    /** The id of the token spelled {@code text} (the last of several), or -1. */
    int get(String text) {
        for (int slot = slot(text.hashCode()); ; slot = (slot + 1) & mask) {
            int id = slots[slot];
            if (id < 0 || tokens[id].equals(text)) {
                return id;
            }
        }
    }

    /** {@link #get(String)} of {@code s[from, to)}. */
    int get(String s, int from, int to) {
        int h = 0;
        for (int i = from; i < to; i++) {
            h = 31 * h + s.charAt(i);
        }
        int length = to - from;
        for (int slot = slot(h); ; slot = (slot + 1) & mask) {
            int id = slots[slot];
            if (id < 0) {
                return -1;
            }
            String t = tokens[id];
            if (t.hashCode() == h && t.length() == length && t.regionMatches(0, s, from, length)) {
                return id;
            }
        }
    }

    /** {@link #get(String)} of {@code s[from1, to1) + s[from2, to2)}. */
    int get(String s, int from1, int to1, int from2, int to2) {
        int h = 0;
        for (int i = from1; i < to1; i++) {
            h = 31 * h + s.charAt(i);
        }
        for (int i = from2; i < to2; i++) {
            h = 31 * h + s.charAt(i);
        }
        int first = to1 - from1;
        int length = first + to2 - from2;
        for (int slot = slot(h); ; slot = (slot + 1) & mask) {
            int id = slots[slot];
            if (id < 0) {
                return -1;
            }
            String t = tokens[id];
            if (t.hashCode() == h && t.length() == length && t.regionMatches(0, s, from1, first)
                    && t.regionMatches(first, s, from2, length - first)) {
                return id;
            }
        }
    }

    /** {@link #get(String)} of {@code chars[0, length)}. */
    int get(char[] chars, int length) {
        int h = 0;
        for (int i = 0; i < length; i++) {
            h = 31 * h + chars[i];
        }
        for (int slot = slot(h); ; slot = (slot + 1) & mask) {
            int id = slots[slot];
            if (id < 0) {
                return -1;
            }
            if (tokens[id].hashCode() == h && equals(tokens[id], chars, length)) {
                return id;
            }
        }
    }

    private static boolean equals(String t, char[] chars, int length) {
        if (t.length() != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (t.charAt(i) != chars[i]) {
                return false;
            }
        }
        return true;
    }

    /** The first id of the token spelled {@code text}, or -1. */
    int first(String text) {
        int id = get(text);
        if (id < 0 || !duplicates) {
            return id;
        }
        for (int i = 0; i < id; i++) {
            if (tokens[i].equals(text)) {
                return i;
            }
        }
        return id;
    }

    private int slot(int hash) {
        return (hash * 0x9E3779B9) >>> shift;
    }
}
