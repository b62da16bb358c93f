package dev.hearth.server.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.grammar.CompiledGrammar;
import dev.hearth.grammar.Grammar;
import dev.hearth.grammar.TokenVocabulary;
import java.nio.charset.StandardCharsets;
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
        for (int i = 0; i < LocalBackend.GRAMMAR_CACHE; i++) {
            backend.compiled(Grammar.compile("root ::= \"a\"{" + (i + 1) + "}"), v1);
        }
        assertThat(backend.compiled(Grammar.compile("root ::= \"a\" \"b\""), v1)).as("evicted after 8 newer ones")
                .isNotSameAs(first);
    }

    @Test
    void theCacheKeepsToItsByteBudget() {
        long budget = 8L << 20;
        LocalBackend backend = new LocalBackend(new LoadedModels(null, java.time.Duration.ofMinutes(5),
                System::currentTimeMillis), budget);
        TokenVocabulary v = vocabulary();
        CompiledGrammar first = null;
        for (int g = 0; g < 5; g++) {
            StringBuilder gbnf = new StringBuilder("root ::= ");
            for (int i = 0; i < 20_000; i++) {
                gbnf.append(i == 0 ? "" : " | ").append("\"v").append(g).append('-').append(i).append('"');
            }
            CompiledGrammar compiled = backend.compiled(Grammar.compile(gbnf.toString()), v);
            assertThat(compiled.estimatedBytes()).as("a large enum grammar").isBetween(budget / 4, budget);
            first = first == null ? compiled : first;
            assertThat(backend.grammarCacheBytes()).isLessThanOrEqualTo(budget);
        }
        assertThat(backend.compiled(first.grammar(), v)).as("evicted by bytes, not by count").isNotSameAs(first);
    }
}
