package dev.hearth.grammar;

import java.util.Arrays;

/**
 * A {@link Grammar} bound to a {@link TokenVocabulary}: the lazily built automaton states with their byte transitions
 * and token masks, shared by the {@link GrammarMatcher}s of every sequence that uses this grammar, so that a state
 * met by an earlier sequence costs no trie walk again. Confined to one thread (the engine thread of the model whose
 * vocabulary it uses); a server may keep one per (schema, model) and make a {@link GrammarMatcher} of it per request.
 */
public final class CompiledGrammar {
    private final Grammar grammar;
    private final TokenVocabulary vocabulary;
    private final GrammarAutomaton automaton;
    private final GrammarState[] walk;
    private final long[] scratchBits;
    final float[] saved;
    /** Cached masks above this many bytes are dropped and recomputed on demand. */
    static final long MAX_MASK_BYTES = 64L << 20;
    private long maskBytes;

    public CompiledGrammar(Grammar grammar, TokenVocabulary vocabulary) {
        this.grammar = grammar;
        this.vocabulary = vocabulary;
        this.automaton = new GrammarAutomaton(grammar);
        this.walk = new GrammarState[vocabulary.maxDepth + 1];
        this.scratchBits = new long[(vocabulary.size + 63) >>> 6];
        this.saved = new float[vocabulary.size];
    }

    public Grammar grammar() {
        return grammar;
    }

    public TokenVocabulary vocabulary() {
        return vocabulary;
    }

    GrammarAutomaton automaton() {
        return automaton;
    }

    /**
     * Approximate heap bytes held: the rules, the automaton built so far, the cached masks and the per-vocabulary
     * scratch. It grows as sequences meet new states; a cache reads it between uses (the count may be a step stale).
     */
    public long estimatedBytes() {
        return grammar.estimatedBytes() + automaton.estimatedBytes() + maskBytes + 4L * saved.length
                + 8L * scratchBits.length;
    }

    /** States built so far (for diagnostics and benchmarks). */
    public int stateCount() {
        return automaton.stateCount();
    }

    /**
     * The mask of {@code state}: an int[] of allowed ids (few allowed), a {@link Rejected} list (few rejected) or a
     * long[] bit set; computed once per state.
     */
    Object mask(GrammarState state) {
        if (state.mask == null) {
            if (maskBytes > MAX_MASK_BYTES) {
                automaton.dropMasks();
                maskBytes = 0;
            }
            Object mask = computeMask(state);
            maskBytes += mask instanceof long[] bits ? bits.length * 8L
                    : mask instanceof Rejected r ? r.ids().length * 4L : ((int[]) mask).length * 4L;
            state.mask = mask;
        }
        return state.mask;
    }

    private Object computeMask(GrammarState start) {
        long[] bits = scratchBits;
        Arrays.fill(bits, 0L);
        TokenVocabulary v = vocabulary;
        byte[] nodeByte = v.nodeByte;
        int[] nodeDepth = v.nodeDepth;
        int[] subtreeEnd = v.subtreeEnd;
        int[] tokenStart = v.tokenStart;
        int[] tokenIds = v.tokenIds;
        GrammarState[] stack = walk;
        stack[0] = start;
        int count = 0;
        int nodes = nodeByte.length;
        if (!start.complete()) {
            int i = 0;
            while (i < nodes) {
                GrammarState parent = stack[nodeDepth[i] - 1];
                GrammarState[] table = parent.next;
                if (table == null) {
                    table = automaton.table(parent);
                }
                GrammarState s = table[nodeByte[i] & 0xFF];
                if (s == GrammarAutomaton.DEAD) {
                    i = subtreeEnd[i];
                    continue;
                }
                for (int k = tokenStart[i], end = tokenStart[i + 1]; k < end; k++) {
                    int t = tokenIds[k];
                    bits[t >>> 6] |= 1L << t;
                    count++;
                }
                stack[nodeDepth[i]] = s;
                i++;
            }
        }
        if (start.accepting) {
            for (int t : v.endOfGeneration) {
                if ((bits[t >>> 6] >>> t & 1L) == 0) {
                    bits[t >>> 6] |= 1L << t;
                    count++;
                }
            }
        }
        if (count <= v.size / 64) {
            return list(bits, count, false);
        }
        if (v.size - count <= v.size / 64) {
            return new Rejected(list(bits, v.size - count, true));
        }
        return bits.clone();
    }

    /** A mask that allows all but these ids (for states that allow almost everything: inside strings). */
    record Rejected(int[] ids) {}

    /** The set (or, when {@code clear}, the clear) bits below the vocabulary size, ascending. */
    private int[] list(long[] bits, int count, boolean clear) {
        int[] out = new int[count];
        int k = 0;
        int size = vocabulary.size;
        for (int w = 0; w < bits.length; w++) {
            long word = clear ? ~bits[w] : bits[w];
            if (clear && (w + 1) * 64 > size) {
                word &= (1L << (size - w * 64)) - 1;
            }
            while (word != 0) {
                out[k++] = w << 6 | Long.numberOfTrailingZeros(word);
                word &= word - 1;
            }
        }
        return out;
    }
}
