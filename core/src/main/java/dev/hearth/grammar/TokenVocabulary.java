package dev.hearth.grammar;

import dev.hearth.tokenizer.Tokenizer;
import dev.hearth.tokenizer.TokenType;
import dev.hearth.tokenizer.Vocabulary;
import java.util.Arrays;
import java.util.BitSet;

/**
 * The vocabulary as the grammar sees it: each token's bytes in a trie laid out in preorder (so a pruned subtree is
 * skipped in one jump), plus the end-of-generation ids. Build once per model (about a second for 152k tokens) and
 * share: immutable and thread-safe. Tokens with no bytes (control tokens other than EOG) are never allowed.
 */
public final class TokenVocabulary {
    final int size;
    /** Per trie node (preorder; the root is implicit): its byte, its depth (1 for the first byte), its subtree end. */
    final byte[] nodeByte;
    final int[] nodeDepth;
    final int[] subtreeEnd;
    /** Tokens ending at node n: tokenIds[tokenStart[n] .. tokenStart[n + 1]). */
    final int[] tokenStart;
    final int[] tokenIds;
    final int maxDepth;
    final int[] endOfGeneration;
    private final byte[][] pieces;

    private TokenVocabulary(byte[][] pieces, int[] endOfGeneration) {
        this.size = pieces.length;
        this.pieces = pieces;
        this.endOfGeneration = endOfGeneration.clone();
        Integer[] order = new Integer[size];
        int count = 0;
        for (int id = 0; id < size; id++) {
            if (pieces[id] != null && pieces[id].length > 0) {
                order[count++] = id;
            }
        }
        Integer[] sorted = Arrays.copyOf(order, count);
        Arrays.sort(sorted, (a, b) -> Arrays.compareUnsigned(pieces[a], pieces[b]));
        int nodes = 0;
        byte[] previous = new byte[0];
        for (Integer id : sorted) {
            nodes += pieces[id].length - commonPrefix(previous, pieces[id]);
            previous = pieces[id];
        }
        nodeByte = new byte[nodes];
        nodeDepth = new int[nodes];
        subtreeEnd = new int[nodes];
        tokenStart = new int[nodes + 1];
        tokenIds = new int[count];
        int[] path = new int[256];
        int pathLength = 0;
        int created = 0;
        int depthMax = 0;
        previous = new byte[0];
        int t = 0;
        for (Integer id : sorted) {
            byte[] piece = pieces[id];
            int common = commonPrefix(previous, piece);
            while (pathLength > common) {
                subtreeEnd[path[--pathLength]] = created;
            }
            for (int i = common; i < piece.length; i++) {
                if (pathLength == path.length) {
                    path = Arrays.copyOf(path, path.length * 2);
                }
                nodeByte[created] = piece[i];
                nodeDepth[created] = i + 1;
                tokenStart[created] = t;
                path[pathLength++] = created++;
            }
            depthMax = Math.max(depthMax, piece.length);
            tokenIds[t++] = id;
            previous = piece;
        }
        while (pathLength > 0) {
            subtreeEnd[path[--pathLength]] = created;
        }
        // tokenStart[n] was set when n was created; tokens of n are those added before node n + 1 was created
        tokenStart[nodes] = t;
        this.maxDepth = depthMax;
    }

    /** The vocabulary of a tokenizer: each token's piece without special tokens, and the model's EOG ids. */
    public static TokenVocabulary of(Tokenizer tokenizer) {
        return of(tokenizer, java.util.Set.of());
    }

    /**
     * The vocabulary of a tokenizer where the special tokens spelled as one of {@code specialTexts} (tool-call
     * markers such as {@code <|python_tag|>}, which the server writes out as text) count as their text.
     */
    public static TokenVocabulary of(Tokenizer tokenizer, java.util.Collection<String> specialTexts) {
        Vocabulary v = tokenizer.vocabulary();
        byte[][] pieces = new byte[v.size()][];
        for (int id = 0; id < pieces.length; id++) {
            TokenType type = v.type(id);
            boolean marker = type.isSpecial() && specialTexts.contains(v.text(id));
            pieces[id] = type.isSpecial() && !marker ? null : tokenizer.tokenPiece(id, marker);
        }
        return of(pieces, v.endOfGenerationIds());
    }

    /** A vocabulary from raw token bytes ({@code null} or empty: never allowed) and end-of-generation ids. */
    public static TokenVocabulary of(byte[][] pieces, int[] endOfGeneration) {
        for (int id : endOfGeneration) {
            if (id < 0 || id >= pieces.length) {
                throw new IllegalArgumentException("end-of-generation id " + id + " is outside the vocabulary [0, "
                        + pieces.length + ")");
            }
        }
        return new TokenVocabulary(pieces.clone(), endOfGeneration);
    }

    public int size() {
        return size;
    }

    public int nodeCount() {
        return nodeByte.length;
    }

    /** The bytes of {@code token} as matched by the grammar (empty for special tokens). */
    byte[] piece(int token) {
        byte[] p = pieces[token];
        return p == null ? new byte[0] : p;
    }

    boolean isEndOfGeneration(int token) {
        for (int id : endOfGeneration) {
            if (id == token) {
                return true;
            }
        }
        return false;
    }

    public BitSet endOfGenerationIds() {
        BitSet set = new BitSet(size);
        for (int id : endOfGeneration) {
            set.set(id);
        }
        return set;
    }

    private static int commonPrefix(byte[] a, byte[] b) {
        int n = Math.min(a.length, b.length);
        int i = 0;
        while (i < n && a[i] == b[i]) {
            i++;
        }
        return i;
    }
}
