package dev.hearth.tokenizer;

/**
 * A lock-free cache of the token ids of words, shared by all threads that encode with one tokenizer, within a byte
 * budget: only words of at most {@link #MAX_WORD_LENGTH} chars and {@link #MAX_IDS} ids are kept, so an entry holds at
 * most {@link #SLOT_BYTES} of heap, and the cache has {@code budget / SLOT_BYTES} slots; however many distinct words
 * pass by, it never holds more. Two-way set associative: a word lives in one of two neighbouring slots, a new word
 * goes to the first and moves the previous occupant to the second (the one there before is dropped). Entries are
 * immutable (final fields), so a racy read sees a whole entry or none; a lost write only costs a recomputation.
 * Lookups hash a region of the text in place, so a hit makes no string.
 */
final class WordCache {
    /** Words longer than this (in chars) are not cached. */
    static final int MAX_WORD_LENGTH = 48;
    /** Words that split into more ids than this are not cached. */
    static final int MAX_IDS = 48;
    /**
     * The most heap one slot can hold, without compressed references: its reference, the entry (header, hash and two
     * references), the word's String and its UTF-16 bytes, and the ids array, each rounded up to 8 bytes.
     */
    static final long SLOT_BYTES = 8 + 32 + 32 + align(16 + 2L * MAX_WORD_LENGTH) + align(16 + 4L * MAX_IDS);

    private record Entry(String word, int hash, int[] ids) {}

    private final Entry[] slots;
    private final int pairs;

    /** A cache that never holds more than {@code byteBudget} bytes (at least one pair of slots). */
    WordCache(long byteBudget) {
        pairs = (int) Math.clamp(byteBudget / SLOT_BYTES / 2, 1, Integer.MAX_VALUE / 2);
        slots = new Entry[2 * pairs];
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

    /** Caches the ids of {@code text[from, to)} when the word and its ids are short enough; {@code ids} must not change. */
    void put(String text, int from, int to, int hash, int[] ids) {
        if (to - from > MAX_WORD_LENGTH || ids.length > MAX_IDS) {
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

    /** The heap the entries held now take at most (the same bound per entry as {@link #SLOT_BYTES}; for tests). */
    long bytesHeld() {
        long bytes = 8L * slots.length;
        for (Entry e : slots) {
            if (e != null) {
                bytes += 32 + 32 + align(16 + 2L * e.word.length()) + align(16 + 4L * e.ids.length);
            }
        }
        return bytes;
    }

    private int slot(int hash) {
        long mixed = (hash * 0x9E3779B9) & 0xFFFFFFFFL;
        return (int) ((mixed * pairs) >>> 32) << 1;
    }

    private static long align(long bytes) {
        return (bytes + 7) & ~7L;
    }
}
