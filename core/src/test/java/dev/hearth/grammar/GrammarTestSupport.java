package dev.hearth.grammar;

import dev.hearth.gguf.GgufFile;
import dev.hearth.testing.Fixtures;
import dev.hearth.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Shared helpers: whole-string acceptance, a byte-per-token vocabulary, and the fixture vocabularies. */
final class GrammarTestSupport {
    private GrammarTestSupport() {}

    /** A vocabulary of the 256 single bytes plus EOG id 256. */
    static final TokenVocabulary BYTES = byteVocabulary();

    private static final Map<String, Tokenizer> TOKENIZERS = new ConcurrentHashMap<>();
    private static final Map<String, TokenVocabulary> VOCABULARIES = new ConcurrentHashMap<>();

    static TokenVocabulary byteVocabulary() {
        byte[][] pieces = new byte[257][];
        for (int b = 0; b < 256; b++) {
            pieces[b] = new byte[] {(byte) b};
        }
        return TokenVocabulary.of(pieces, new int[] {256});
    }

    /** Whether the whole text is a sentence of the grammar. */
    static boolean matches(Grammar grammar, String text) {
        GrammarMatcher m = new GrammarMatcher(grammar, BYTES);
        return m.acceptBytes(text.getBytes(StandardCharsets.UTF_8)) && m.canEnd();
    }

    /** Whether the text can be continued into a sentence (a valid prefix). */
    static boolean prefix(Grammar grammar, String text) {
        return new GrammarMatcher(grammar, BYTES).acceptBytes(text.getBytes(StandardCharsets.UTF_8));
    }

    static Tokenizer tokenizer(String modelFile) {
        return TOKENIZERS.computeIfAbsent(modelFile, f -> {
            try (GgufFile file = GgufFile.open(Fixtures.model(f))) {
                return Tokenizer.fromGguf(file.metadata());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    static TokenVocabulary vocabulary(String modelFile) {
        return VOCABULARIES.computeIfAbsent(modelFile, f -> TokenVocabulary.of(tokenizer(f)));
    }
}
