package dev.hearth.tokenizer;

import java.util.Arrays;

/**
 * SentencePiece merges over symbol ids, derived from the vocabulary once: a symbol is a token (its id) or a single
 * character that is not a token but is part of one (an id from {@code vocabulary.size()} up). {@link #merge} gives,
 * for two adjacent symbols, the token their concatenation spells with its priority (higher score first), as the
 * {@code llm_tokenizer_spm} lookup of the joined text would. {@link #mayJoin} tells whether two adjacent characters
 * occur together in any token: where they do not, no merge can cross, and the text can be encoded in independent
 * chunks. Immutable.
 */
final class SpmMerges {
    private final int vocabularySize;
    private final int[] bmpSymbols = new int[65536];
    private final PairTable supplementarySymbols = new PairTable(64);
    private final PairTable pairs;
    private final PairTable adjacent;
    private int nextPseudo;

    SpmMerges(Vocabulary vocabulary) {
        vocabularySize = vocabulary.size();
        nextPseudo = vocabularySize;
        Arrays.fill(bmpSymbols, -1);
        TokenIndex index = vocabulary.index();
        int n = vocabulary.size();
        for (int id = 0; id < n; id++) {
            String t = vocabulary.text(id);
            if (!t.isEmpty() && t.codePointCount(0, t.length()) == 1 && index.get(t) == id) {
                setSymbol(t.codePointAt(0), id);
            }
        }
        pairs = new PairTable(n * 4);
        adjacent = new PairTable(n * 2);
        for (int id = 0; id < n; id++) {
            String t = vocabulary.text(id);
            int length = t.length();
            if (length < 2 || index.get(t) != id) {
                continue;
            }
            long value = ((long) BigramQueue.descendingScore(vocabulary.score(id)) << 32) | id;
            int firstEnd = Character.charCount(t.codePointAt(0));
            int previous = t.codePointAt(0);
            int lastStart = t.offsetByCodePoints(length, -1);
            for (int k = firstEnd; k < length; ) {
                int cp = t.codePointAt(k);
                adjacent.putIfAbsent(previous, cp, 0);
                int left = k == firstEnd ? symbolOrPseudo(t.codePointAt(0)) : index.get(t, 0, k);
                int right = k == lastStart ? symbolOrPseudo(t.codePointAt(k)) : index.get(t, k, length);
                if (left >= 0 && right >= 0) {
                    pairs.putIfAbsent(left, right, value);
                }
                previous = cp;
                k += Character.charCount(cp);
            }
        }
    }

    private void setSymbol(int cp, int symbol) {
        if (cp < 65536) {
            bmpSymbols[cp] = symbol;
        } else {
            supplementarySymbols.putIfAbsent(cp, 0, symbol);
        }
    }

    private int symbolOrPseudo(int cp) {
        int symbol = symbol(cp);
        if (symbol < 0) {
            symbol = nextPseudo++;
            setSymbol(cp, symbol);
        }
        return symbol;
    }

    /** The symbol of a character, or -1 when it is in no token (it never merges). */
    int symbol(int cp) {
        if (cp < 65536) {
            return bmpSymbols[cp];
        }
        return (int) supplementarySymbols.get(cp, 0);
    }

    /** Whether {@code symbol} is a token id (not a character that is only part of tokens). */
    boolean isToken(int symbol) {
        return symbol >= 0 && symbol < vocabularySize;
    }

    /** (priority << 32 | merged token id) for two adjacent symbols, or -1 when their join is not a token. */
    long merge(int left, int right) {
        return left < 0 || right < 0 ? -1L : pairs.get(left, right);
    }

    /** Whether some token has character {@code second} right after {@code first}. */
    boolean mayJoin(int first, int second) {
        return adjacent.get(first, second) != -1L;
    }
}
