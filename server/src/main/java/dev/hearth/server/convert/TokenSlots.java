package dev.hearth.server.convert;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A SentencePiece vocabulary being filled: one slot per token id, up to config.json's vocab_size, each {@code [PADn]},
 * UNUSED, score {@link #PAD_SCORE} until a source sets it. Filled by {@link SpmTokenizerReader} and
 * {@link SpmJsonVocab}; its own file so that neither depends on the other for it.
 */
final class TokenSlots {
    static final float PAD_SCORE = -10000f;
    /** The score of an added token that the model's own vocabulary lacks. */
    static final float ADDED_SCORE = -1000f;

    final String[] tokens;
    final float[] scores;
    final int[] types;

    TokenSlots(int vocabSize) {
        tokens = new String[vocabSize];
        scores = new float[vocabSize];
        types = new int[vocabSize];
        for (int i = 0; i < vocabSize; i++) {
            tokens[i] = "[PAD" + i + "]";
            scores[i] = PAD_SCORE;
            types[i] = TokenTypes.UNUSED;
        }
    }

    void set(int id, String text, float score, int type, Path file) {
        if (id < 0 || id >= tokens.length) {
            throw new IllegalArgumentException(file + ": token '" + text + "' has id " + id
                    + ", outside config.json's vocab_size " + tokens.length);
        }
        tokens[id] = text;
        scores[id] = score;
        types[id] = type;
    }

    /** Text to id, the lowest id for a text that occurs twice. */
    Map<String, Integer> ids() {
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < tokens.length; i++) {
            ids.putIfAbsent(tokens[i], i);
        }
        return ids;
    }
}
