package dev.hearth.grammar;

/**
 * One state of the pushdown matcher: the set of parse stacks alive after the bytes so far (each stack's top waits
 * for a byte), and whether an empty stack (the end of the root rule) is among them. Interned by the
 * {@link GrammarAutomaton}, so equal states are one object: transitions and token masks are cached on it.
 */
final class GrammarState {
    /** Stack tops, each at a {@link Grammar#BYTES} position; sorted by id. */
    final Frame[] tops;
    final boolean accepting;
    /** Lazily filled byte transitions (null entries: not computed yet). */
    GrammarState[] next;
    /** Cached token mask: null, an int[] of allowed ids, or a long[] bit set. */
    Object mask;

    GrammarState(Frame[] tops, boolean accepting) {
        this.tops = tops;
        this.accepting = accepting;
    }

    /** Nothing more can be matched: only the end remains. */
    boolean complete() {
        return tops.length == 0;
    }

    /** One parse stack entry: continue at program position {@code pos}, then return to {@code parent}. */
    static final class Frame {
        final int pos;
        final Frame parent;
        final int id;

        Frame(int pos, Frame parent, int id) {
            this.pos = pos;
            this.parent = parent;
            this.id = id;
        }
    }
}
