package dev.hearth.tokenizer;

import dev.hearth.gguf.GgufKeys;

/**
 * The merge table of byte-level BPE: (left id, right id) to (rank, merged id) in a {@link PairTable}. Built from the
 * merge texts by looking their parts up in the vocabulary's index in place (no string per merge). Immutable.
 */
final class BpeMerges {
    private final PairTable table;
    private final int skipped;

    private BpeMerges(PairTable table, int skipped) {
        this.table = table;
        this.skipped = skipped;
    }

    /**
     * Reads merges spelled "left right" in the byte-level alphabet. A part counts only when it is spelled wholly in
     * the alphabet and is a token; merges whose parts or result are not tokens are skipped (counted). The first
     * (lowest-rank) of duplicate merges wins.
     */
    static BpeMerges parse(String[] merges, TokenIndex index) {
        PairTable table = new PairTable(merges.length);
        int skipped = 0;
        for (int rank = 0; rank < merges.length; rank++) {
            String merge = merges[rank];
            int space = merge.indexOf(' ', 1);
            if (space < 0) {
                throw new IllegalArgumentException("metadata key '" + GgufKeys.TOKENIZER_MERGES + "'[" + rank
                        + "] = '" + merge + "' is not two tokens separated by a space");
            }
            int n = merge.length();
            if (!byteLevel(merge, 0, space) || !byteLevel(merge, space + 1, n)) {
                skipped++;
                continue;
            }
            int left = index.get(merge, 0, space);
            int right = index.get(merge, space + 1, n);
            int merged = left < 0 || right < 0 ? -1 : index.get(merge, 0, space, space + 1, n);
            if (merged < 0) {
                skipped++;
                continue;
            }
            table.putIfAbsent(left, right, ((long) rank << 32) | merged);
        }
        return new BpeMerges(table, skipped);
    }

    private static boolean byteLevel(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (ByteLevel.byteOf(s.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }

    /** (rank << 32 | merged id) of the merge of {@code left} and {@code right}, or -1 when they do not merge. */
    long find(int left, int right) {
        return table.get(left, right);
    }

    /** Merges skipped because a part was not a token. */
    int skipped() {
        return skipped;
    }
}
