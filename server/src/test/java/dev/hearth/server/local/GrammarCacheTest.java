package dev.hearth.server.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.grammar.CompiledGrammar;
import dev.hearth.grammar.Grammar;
import dev.hearth.grammar.TokenVocabulary;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Requests that send the same grammar (the same tools, the same schema) to one model share its compiled form. */
class GrammarCacheTest {
    private static TokenVocabulary vocabulary() {
        String[] pieces = {"a", "b", "ab", "{", "}", "\"", " "};
        byte[][] bytes = new byte[pieces.length][];
        for (int i = 0; i < pieces.length; i++) {
            bytes[i] = pieces[i].getBytes(StandardCharsets.UTF_8);
        }
        return TokenVocabulary.of(bytes, new int[0]);
    }

    @Test
    void sameGrammarAndVocabularyShareOneCompiledGrammarAndTheCacheIsBounded() {
        LocalBackend backend = new LocalBackend();
        TokenVocabulary v1 = vocabulary();
        TokenVocabulary v2 = vocabulary();
        CompiledGrammar first = backend.compiled(Grammar.compile("root ::= \"a\" \"b\""), v1);
        assertThat(backend.compiled(Grammar.compile("root ::= \"a\" \"b\""), v1)).isSameAs(first);
        assertThat(backend.compiled(Grammar.compile("root ::= \"a\" \"b\""), v2)).as("another model's vocabulary")
                .isNotSameAs(first);
        assertThat(backend.compiled(Grammar.compile("root ::= \"b\""), v1)).as("another grammar").isNotSameAs(first);
        for (int i = 0; i < GrammarCache.MAX_ENTRIES; i++) {
            backend.compiled(Grammar.compile("root ::= \"a\"{" + (i + 1) + "}"), v1);
        }
        assertThat(backend.compiled(Grammar.compile("root ::= \"a\" \"b\""), v1)).as("evicted after 8 newer ones")
                .isNotSameAs(first);
    }

    @Test
    void theCacheKeepsToItsByteBudget() {
        long budget = 8L << 20;
        GrammarCache cache = new GrammarCache(budget, Duration.ofHours(1), System::nanoTime);
        TokenVocabulary v = vocabulary();
        CompiledGrammar first = null;
        for (int g = 0; g < 5; g++) {
            CompiledGrammar compiled = cache.compiled(Grammar.compile(bigEnum(g)), v);
            assertThat(compiled.estimatedBytes()).as("a large enum grammar").isBetween(budget / 4, budget);
            first = first == null ? compiled : first;
            assertThat(cache.bytes()).isLessThanOrEqualTo(budget);
        }
        assertThat(cache.compiled(first.grammar(), v)).as("evicted by bytes, not by count").isNotSameAs(first);
    }

    @Test
    void theEstimateCoversWhatABigEnumGrammarReallyHolds() throws Exception {
        // measured: the heap a compiled 20,000-value enum adds, after full collections, against its estimate
        TokenVocabulary v = vocabulary();
        Grammar grammar = Grammar.compile(bigEnum(7));
        long before = usedAfterGc();
        CompiledGrammar compiled = new CompiledGrammar(grammar, v);
        long held = usedAfterGc() - before;
        assertThat(compiled.estimatedBytes()).as("estimate vs %d bytes measured", held)
                .isGreaterThanOrEqualTo(held * 3 / 4);
        assertThat(compiled.stateCount()).isPositive();  // keeps it reachable until measured
    }

    @Test
    void grammarsLeftIdleAreDropped() {
        long[] now = {0};
        GrammarCache cache = new GrammarCache(32L << 20, Duration.ofSeconds(30), () -> now[0]);
        TokenVocabulary v = vocabulary();
        CompiledGrammar old = cache.compiled(Grammar.compile("root ::= \"a\""), v);
        now[0] = Duration.ofSeconds(20).toNanos();
        CompiledGrammar recent = cache.compiled(Grammar.compile("root ::= \"b\""), v);
        now[0] = Duration.ofSeconds(40).toNanos();
        assertThat(cache.dropIdle()).isEqualTo(1);
        assertThat(cache.compiled(Grammar.compile("root ::= \"b\""), v)).isSameAs(recent);
        assertThat(cache.compiled(Grammar.compile("root ::= \"a\""), v)).isNotSameAs(old);
        now[0] = Duration.ofSeconds(100).toNanos();
        assertThat(cache.dropIdle()).isEqualTo(2);
        assertThat(cache.size()).isZero();
        assertThat(cache.bytes()).isZero();
    }

    private static String bigEnum(int salt) {
        StringBuilder gbnf = new StringBuilder("root ::= ");
        for (int i = 0; i < 20_000; i++) {
            gbnf.append(i == 0 ? "" : " | ").append("\"v").append(salt).append('-').append(i).append('"');
        }
        return gbnf.toString();
    }

    private static long usedAfterGc() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {  // the least of three: garbage of other threads does not count
            System.gc();
            Thread.sleep(50);
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }
}
