package dev.hearth.tokenizer;

import dev.hearth.gguf.GgufKeys;

/**
 * The merge table of byte-level BPE: (left id, right id) to (rank, merged id), in an open-addressing hash table over
 * primitive longs. Immutable after construction.
 */
final class BpeMerges {
    private static final long EMPTY = -1L;

    private final long[] keys;
    private final long[] values;
    private final int mask;
    private final int skipped;

    private BpeMerges(int expected) {
        int capacity = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        keys = new long[capacity];
        values = new long[capacity];
        java.util.Arrays.fill(keys, EMPTY);
        mask = capacity - 1;
        skipped = 0;
    }

    private BpeMerges(BpeMerges table, int skipped) {
        this.keys = table.keys;
        this.values = table.values;
        this.mask = table.mask;
        this.skipped = skipped;
    }

    /**
     * Reads merges spelled "left right" in the byte-level alphabet; {@code idOfBytes} gives the id of a token by its
     * bytes (as a Latin-1 string) or -1. Merges whose parts are not all tokens are skipped (counted).
     */
    static BpeMerges parse(String[] merges, java.util.function.ToIntFunction<String> idOfBytes) {
        BpeMerges table = new BpeMerges(merges.length);
        int skipped = 0;
        for (int rank = 0; rank < merges.length; rank++) {
            String merge = merges[rank];
            int space = merge.indexOf(' ', 1);
            if (space < 0) {
                throw new IllegalArgumentException("metadata key '" + GgufKeys.TOKENIZER_MERGES + "'[" + rank
                        + "] = '" + merge + "' is not two tokens separated by a space");
            }
            int left = idOfBytes.applyAsInt(latin1(merge.substring(0, space)));
            int right = idOfBytes.applyAsInt(latin1(merge.substring(space + 1)));
            int merged = idOfBytes.applyAsInt(latin1(merge.substring(0, space) + merge.substring(space + 1)));
            if (left < 0 || right < 0 || merged < 0) {
                skipped++;
                continue;
            }
            table.putIfAbsent(left, right, rank, merged);
        }
        return new BpeMerges(table, skipped);
    }

    private static String latin1(String byteLevel) {
        byte[] bytes = ByteLevel.strictDecode(byteLevel);
        return bytes == null ? "\uFFFF-not-byte-level" : new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private void putIfAbsent(int left, int right, int rank, int merged) {
        long key = ((long) left << 32) | (right & 0xFFFFFFFFL);
        int slot = slot(key);
        while (keys[slot] != EMPTY) {
            if (keys[slot] == key) {
                return;
            }
            slot = (slot + 1) & mask;
        }
        keys[slot] = key;
        values[slot] = ((long) rank << 32) | (merged & 0xFFFFFFFFL);
    }

    /** (rank << 32 | merged id) of the merge of {@code left} and {@code right}, or -1 when they do not merge. */
    long find(int left, int right) {
        long key = ((long) left << 32) | (right & 0xFFFFFFFFL);
        int slot = slot(key);
        while (true) {
            long k = keys[slot];
            if (k == key) {
                return values[slot];
            }
            if (k == EMPTY) {
                return -1L;
            }
            slot = (slot + 1) & mask;
        }
    }

    /** Merges skipped because a part was not a token. */
    int skipped() {
        return skipped;
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 32) & mask;
    }
}
