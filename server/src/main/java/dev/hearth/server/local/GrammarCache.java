package dev.hearth.server.local;

import dev.hearth.grammar.CompiledGrammar;
import dev.hearth.grammar.Grammar;
import dev.hearth.grammar.TokenVocabulary;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Compiled grammars kept for reuse (their automaton states and token masks): agents resend the same tools and
 * schemas. Bounded three ways: at most {@link #MAX_ENTRIES} grammars, at most {@code byteBudget} bytes together (their
 * estimate), and a grammar unused for {@code idle} is dropped by {@link #dropIdle}, so a server whose load has stopped
 * gives that memory back. A compiled grammar is used on its model's engine thread only; requests for the same model
 * share it, which is what its caches are for.
 */
final class GrammarCache {
    static final int MAX_ENTRIES = 8;
    /** The bytes the grammars may hold together: a few huge schemas cannot pin the heap. */
    static final long BYTES = 64L << 20;
    /** A grammar unused this long is dropped. */
    static final Duration IDLE = Duration.ofSeconds(20);

    /** The vocabulary by identity (one per loaded model's text side) and the grammar's GBNF text. */
    private record Key(TokenVocabulary vocabulary, String gbnf) {}

    private static final class Entry {
        final CompiledGrammar compiled;
        long lastUsedNanos;

        Entry(CompiledGrammar compiled) {
            this.compiled = compiled;
        }
    }

    private final long byteBudget;
    private final long idleNanos;
    private final LongSupplier nanoClock;
    /** Least recently used first. */
    private final Map<Key, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);

    GrammarCache(long byteBudget, Duration idle, LongSupplier nanoClock) {
        this.byteBudget = byteBudget;
        this.idleNanos = idle.toNanos();
        this.nanoClock = nanoClock;
    }

    /** The compiled form of {@code grammar} for {@code vocabulary}, from the cache or built now. */
    synchronized CompiledGrammar compiled(Grammar grammar, TokenVocabulary vocabulary) {
        Entry entry = entries.computeIfAbsent(new Key(vocabulary, grammar.gbnf()),
                k -> new Entry(new CompiledGrammar(grammar, vocabulary)));
        entry.lastUsedNanos = nanoClock.getAsLong();
        trim();
        return entry.compiled;
    }

    /** Drops the least recently used grammars beyond the count or the byte budget (the newest always stays). */
    private void trim() {
        long bytes = bytes();
        Iterator<Entry> eldest = entries.values().iterator();
        while (entries.size() > 1 && (entries.size() > MAX_ENTRIES || bytes > byteBudget)) {
            bytes -= eldest.next().compiled.estimatedBytes();
            eldest.remove();
        }
    }

    /** Drops the grammars unused for longer than the idle time; how many. */
    synchronized int dropIdle() {
        long now = nanoClock.getAsLong();
        int dropped = 0;
        for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
            if (now - it.next().lastUsedNanos > idleNanos) {
                it.remove();
                dropped++;
            }
        }
        return dropped;
    }

    /** Bytes the cached grammars hold (their estimate). */
    synchronized long bytes() {
        return entries.values().stream().mapToLong(e -> e.compiled.estimatedBytes()).sum();
    }

    synchronized int size() {
        return entries.size();
    }
}
