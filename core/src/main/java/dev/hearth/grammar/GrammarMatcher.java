package dev.hearth.grammar;

import java.util.Arrays;

/**
 * The grammar state of one sequence over one vocabulary. Each step: {@link #applyMask} (or {@link #fillMask}) sets
 * every token that cannot continue a valid output to -inf, the sampler picks, then {@link #accept} advances.
 *
 * <p>The mask walks the vocabulary trie from the current state, one cached byte transition per trie node, skipping
 * a subtree as soon as its prefix is rejected; the result is cached on the (interned) state, so a state met again
 * (inside a string, between array items, ...) costs one pass over the logits. End-of-generation tokens are allowed
 * only where the grammar can end; once it is complete, only they are. Owned by the thread that owns its
 * {@link CompiledGrammar}; not thread-safe.
 */
public final class GrammarMatcher {
    private static final int[] NOTHING = new int[0];

    private final CompiledGrammar compiled;
    private final TokenVocabulary vocabulary;
    private final GrammarAutomaton automaton;
    private GrammarState state;
    private boolean ended;

    /** A matcher with its own caches; prefer one over a {@link CompiledGrammar}, to share them across sequences. */
    public GrammarMatcher(Grammar grammar, TokenVocabulary vocabulary) {
        this(new CompiledGrammar(grammar, vocabulary));
    }

    /**
     * A matcher at the start of the grammar, for one sequence, sharing {@code compiled}'s states and masks with the
     * other matchers made of it (made here, not by the compiled grammar, which then does not depend back on this).
     */
    public GrammarMatcher(CompiledGrammar compiled) {
        this.compiled = compiled;
        this.vocabulary = compiled.vocabulary();
        this.automaton = compiled.automaton();
        this.state = automaton.initial();
    }

    public Grammar grammar() {
        return compiled.grammar();
    }

    /** Whether the output so far is a complete sentence of the grammar (EOG is allowed now). */
    public boolean canEnd() {
        return !ended && state.accepting;
    }

    /** Whether nothing but the end can follow (only EOG is allowed), or an EOG token was accepted. */
    public boolean isComplete() {
        return ended || state.complete();
    }

    /**
     * Advances by {@code token}. Returns false, changing nothing, when the grammar does not allow it (an EOG token is
     * allowed only where the grammar can end).
     */
    public boolean accept(int token) {
        if (ended || token < 0 || token >= vocabulary.size) {
            return false;
        }
        if (vocabulary.isEndOfGeneration(token)) {
            if (!state.accepting) {
                return false;
            }
            ended = true;
            return true;
        }
        byte[] piece = vocabulary.piece(token);
        if (piece.length == 0) {
            return false;
        }
        GrammarState s = state;
        for (byte b : piece) {
            s = automaton.next(s, b & 0xFF);
            if (s == GrammarAutomaton.DEAD) {
                return false;
            }
        }
        state = s;
        return true;
    }

    /** Advances by raw bytes (for tests and for text forced into the output); false when rejected, state unchanged. */
    public boolean acceptBytes(byte[] bytes) {
        GrammarState s = state;
        for (byte b : bytes) {
            s = automaton.next(s, b & 0xFF);
            if (s == GrammarAutomaton.DEAD) {
                return false;
            }
        }
        state = s;
        return true;
    }

    /** Whether these bytes could follow now (the state is not changed); for tests and diagnostics. */
    boolean wouldAccept(byte[] bytes) {
        GrammarState s = state;
        for (byte b : bytes) {
            s = automaton.next(s, b & 0xFF);
            if (s == GrammarAutomaton.DEAD) {
                return false;
            }
        }
        return true;
    }

    /**
     * Writes the allowed tokens as a bit set: bit t of {@code out[t >> 6]} (at least {@code (size + 63) / 64}
     * words) is set when token t may come next.
     */
    public void fillMask(long[] out) {
        int words = (vocabulary.size + 63) >>> 6;
        Object mask = mask();
        if (mask instanceof long[] bits) {
            System.arraycopy(bits, 0, out, 0, words);
        } else if (mask instanceof CompiledGrammar.Rejected r) {
            Arrays.fill(out, 0, words, -1L);
            if ((vocabulary.size & 63) != 0) {
                out[words - 1] = (1L << (vocabulary.size & 63)) - 1;
            }
            for (int t : r.ids()) {
                out[t >>> 6] &= ~(1L << t);
            }
        } else {
            Arrays.fill(out, 0, words, 0L);
            for (int t : (int[]) mask) {
                out[t >>> 6] |= 1L << t;
            }
        }
    }

    /** Whether {@code token} may come next (uses the cached mask). */
    public boolean isAllowed(int token) {
        if (token < 0 || token >= vocabulary.size) {
            return false;
        }
        Object mask = mask();
        if (mask instanceof long[] bits) {
            return (bits[token >>> 6] >>> token & 1L) != 0;
        }
        if (mask instanceof CompiledGrammar.Rejected r) {
            return Arrays.binarySearch(r.ids(), token) < 0;
        }
        return Arrays.binarySearch((int[]) mask, token) >= 0;
    }

    /**
     * Sets to -inf the logits {@code logits[offset + t]} of every token t in [0, vocabularySize) that may not come
     * next; ids at or past this vocabulary's size (padding rows of the output matrix) are always disallowed.
     */
    public void applyMask(float[] logits, int offset, int vocabularySize) {
        Object mask = mask();
        int n = Math.min(vocabularySize, vocabulary.size);
        if (mask instanceof long[] bits) {
            applyBits(bits, logits, offset, n);
        } else if (mask instanceof CompiledGrammar.Rejected r) {
            for (int t : r.ids()) {
                if (t < n) {
                    logits[offset + t] = Float.NEGATIVE_INFINITY;
                }
            }
        } else {
            int[] allowed = (int[]) mask;
            float[] saved = compiled.saved;
            for (int i = 0; i < allowed.length; i++) {
                saved[i] = logits[offset + allowed[i]];
            }
            Arrays.fill(logits, offset, offset + n, Float.NEGATIVE_INFINITY);
            for (int i = 0; i < allowed.length; i++) {
                logits[offset + allowed[i]] = saved[i];
            }
        }
        if (vocabularySize > n) {
            Arrays.fill(logits, offset + n, offset + vocabularySize, Float.NEGATIVE_INFINITY);
        }
    }

    /** The mask of the current state, computed once per state. */
    private Object mask() {
        if (ended) {
            return NOTHING;
        }
        return compiled.mask(state);
    }

    /** -inf where the bit is clear; whole words of allowed tokens are skipped. */
    private static void applyBits(long[] bits, float[] logits, int offset, int n) {
        for (int w = 0, base = 0; base < n; w++, base += 64) {
            long disallowed = ~bits[w];
            if (base + 64 > n) {
                disallowed &= (1L << (n - base)) - 1;
            }
            while (disallowed != 0) {
                logits[offset + base + Long.numberOfTrailingZeros(disallowed)] = Float.NEGATIVE_INFINITY;
                disallowed &= disallowed - 1;
            }
        }
    }

}
