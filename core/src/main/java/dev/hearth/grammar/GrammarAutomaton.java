package dev.hearth.grammar;

import dev.hearth.grammar.GrammarState.Frame;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a {@link Grammar} as a pushdown automaton on bytes, building its states lazily. Stacks are linked
 * {@link Frame}s, hash-consed so that equal stacks are one object; a reference followed by the end of its
 * alternative pushes nothing (tail calls), so repetitions run in constant stack depth and their states repeat.
 * States are interned and cache their transitions. Owned by one thread (one per sequence or per engine thread).
 */
final class GrammarAutomaton {
    /** Above this many states, caches are dropped and rebuilt on demand (grammars with deep nesting). */
    static final int MAX_STATES = 30_000;

    static final GrammarState DEAD = new GrammarState(new Frame[0], false);

    private final Grammar grammar;
    private final Map<Long, Frame> frames = new HashMap<>();
    private final Map<StateKey, GrammarState> states = new HashMap<>();
    private final List<GrammarState> all = new ArrayList<>();
    private final GrammarState initial;
    // closure scratch
    private final List<Frame> found = new ArrayList<>();
    private final Map<Frame, Boolean> visited = new java.util.IdentityHashMap<>();
    private boolean foundAccepting;
    private int flushes;
    /** Heap of the interned states' stack-top arrays and their index entries (a state of a big enum has thousands). */
    private volatile long stateBytes;

    GrammarAutomaton(Grammar grammar) {
        this.grammar = grammar;
        begin();
        for (int alt : grammar.alternatives[grammar.root]) {
            close(frame(alt, null));
        }
        this.initial = finish();
    }

    GrammarState initial() {
        return initial;
    }

    int stateCount() {
        return all.size();
    }

    /**
     * Approximate heap bytes of the states built so far, each counted with its 256-entry transition table and its
     * stack tops, and of the interned stack frames (each with its index entry and boxed key); masks are counted by
     * {@link CompiledGrammar}. Reads sizes only, so another thread may ask while the owner builds states.
     */
    long estimatedBytes() {
        return (96L + 16 + 4L * 256) * all.size() + stateBytes + 96L * frames.size();
    }

    int flushes() {
        return flushes;
    }

    /** The state after byte {@code b} (0..255) from {@code state}; {@link #DEAD} when no stack accepts it. */
    GrammarState next(GrammarState state, int b) {
        GrammarState[] table = state.next;
        return (table != null ? table : table(state))[b];
    }

    /**
     * The transitions of {@code state} for all 256 bytes, computed together: bytes accepted by the same stack tops
     * lead to the same state, so one closure serves each group (all letters inside a string, say).
     */
    GrammarState[] table(GrammarState state) {
        GrammarState[] table = state.next;
        if (table != null) {
            return table;
        }
        table = new GrammarState[256];
        Frame[] tops = state.tops;
        Map<BitSet, GrammarState> bySignature = new HashMap<>();
        BitSet signature = new BitSet(tops.length);
        for (int b = 0; b < 256; b++) {
            signature.clear();
            for (int i = 0; i < tops.length; i++) {
                if (grammar.contains(grammar.args[tops[i].pos], b)) {
                    signature.set(i);
                }
            }
            if (signature.isEmpty()) {
                table[b] = DEAD;
                continue;
            }
            GrammarState result = bySignature.get(signature);
            if (result == null) {
                begin();
                for (int i = signature.nextSetBit(0); i >= 0; i = signature.nextSetBit(i + 1)) {
                    close(continuation(tops[i].pos + 1, tops[i].parent));
                }
                result = finish();
                bySignature.put((BitSet) signature.clone(), result);
            }
            table[b] = result;
        }
        state.next = table;
        return table;
    }

    /** Drops every cached token mask (when they take too much memory); transitions stay. */
    void dropMasks() {
        for (GrammarState s : all) {
            s.mask = null;
        }
    }

    private void begin() {
        found.clear();
        visited.clear();
        foundAccepting = false;
    }

    private GrammarState finish() {
        if (found.isEmpty() && !foundAccepting) {
            return DEAD;
        }
        Frame[] tops = found.toArray(Frame[]::new);
        Arrays.sort(tops, (a, b) -> Integer.compare(a.id, b.id));
        StateKey key = new StateKey(tops, foundAccepting);
        GrammarState state = states.get(key);
        if (state == null) {
            if (all.size() >= MAX_STATES) {
                flush();
            }
            state = new GrammarState(tops, foundAccepting);
            states.put(key, state);
            all.add(state);
            stateBytes += 16 + 4L * tops.length + 64;  // the tops array, and the state's key and index entry
        }
        return state;
    }

    /** Drops every cached state and transition; states still held keep working and are recomputed on demand. */
    private void flush() {
        for (GrammarState s : all) {
            s.next = null;
            s.mask = null;
        }
        all.clear();
        states.clear();
        stateBytes = 0;
        flushes++;
    }

    /** Adds to the closure the stack tops reachable from {@code f} without consuming a byte. */
    private void close(Frame f) {
        if (f == null) {
            foundAccepting = true;
            return;
        }
        if (visited.put(f, Boolean.TRUE) != null) {
            return;
        }
        switch (grammar.kinds[f.pos]) {
            case Grammar.END -> close(f.parent);
            case Grammar.BYTES -> found.add(f);
            default -> {
                Frame after = continuation(f.pos + 1, f.parent);
                for (int alt : grammar.alternatives[grammar.args[f.pos]]) {
                    close(frame(alt, after));
                }
            }
        }
    }

    /** The frame that continues at {@code pos}: its parent itself when the alternative ends there (a tail call). */
    private Frame continuation(int pos, Frame parent) {
        // a parent is always a continuation itself, so it never waits at an END
        return grammar.kinds[pos] == Grammar.END ? parent : frame(pos, parent);
    }

    private Frame frame(int pos, Frame parent) {
        long key = (long) pos << 32 | (parent == null ? 0 : parent.id);
        Frame f = frames.get(key);
        if (f == null) {
            f = new Frame(pos, parent, frames.size() + 1);
            frames.put(key, f);
        }
        return f;
    }

    private record StateKey(Frame[] tops, boolean accepting) {
        @Override
        public boolean equals(Object o) {
            return o instanceof StateKey k && k.accepting == accepting && Arrays.equals(k.tops, tops);
        }

        @Override
        public int hashCode() {
            int h = accepting ? 1 : 0;
            for (Frame f : tops) {
                h = h * 31 + f.id;
            }
            return h;
        }
    }
}
