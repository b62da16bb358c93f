package dev.hearth.tokenizer;

/**
 * A bounded, lock-free cache of the token ids of words, shared by all threads that encode with one tokenizer.
 * Two-way set associative: a word lives in one of two neighbouring slots, a new word goes to the first and moves
 * the previous occupant to the second. Entries are immutable (final fields), so a racy read sees a whole entry or
 * none; a lost write only costs a recomputation. Lookups hash a region of the text in place, so a hit makes no
 * string.
 */
final class WordCache {
    /** Words longer than this (in chars) are not cached. */
    static final int MAX_WORD_LENGTH = 48;

    private record Entry(String word, int hash, int[] ids) {}

    private final Entry[] slots;
    private final int shift;

    /** A cache of {@code capacity} words, rounded up to a power of two (at least 2). */
    WordCache(int capacity) {
        int size = Math.max(2, Integer.highestOneBit(Math.max(1, capacity - 1)) << 1);
        slots = new Entry[size];
        shift = Integer.numberOfLeadingZeros(size) + 1;
    }

    static int hash(String text, int from, int to) {
        int h = 0;
        for (int i = from; i < to; i++) {
            h = 31 * h + text.charAt(i);
        }
        return h;
    }

    /** The ids cached for {@code text[from, to)} with {@code hash} from {@link #hash}, or null. Do not modify. */
    int[] get(String text, int from, int to, int hash) {
        int slot = slot(hash);
        Entry e = slots[slot];
        if (matches(e, text, from, to, hash)) {
            return e.ids;
        }
        e = slots[slot ^ 1];
        return matches(e, text, from, to, hash) ? e.ids : null;
    }

    private static boolean matches(Entry e, String text, int from, int to, int hash) {
        return e != null && e.hash == hash && e.word.length() == to - from
                && e.word.regionMatches(0, text, from, to - from);
    }

    /** Caches the ids of {@code text[from, to)} when the word is short enough; {@code ids} must not change. */
    void put(String text, int from, int to, int hash, int[] ids) {
        if (to - from > MAX_WORD_LENGTH) {
            return;
        }
        int slot = slot(hash);
        Entry previous = slots[slot];
        if (previous != null && previous.hash != hash) {
            slots[slot ^ 1] = previous;
        }
        slots[slot] = new Entry(text.substring(from, to), hash, ids);
    }

    int capacity() {
        return slots.length;
    }

    private int slot(int hash) {
        return ((hash * 0x9E3779B9) >>> shift) & ~1;
    }
}
