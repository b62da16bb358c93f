package dev.hearth.tokenizer;

import java.util.Arrays;

/**
 * llama.cpp's {@code clean_spaces} decoding step for GPT-2-style vocabularies: removes the space before
 * {@code ? ! . ,}, around a lone apostrophe, and before {@code 's 'm 're 've}.
 */
final class SpaceCleaner {
    private SpaceCleaner() {}

    static byte[] clean(byte[] text) {
        byte[] t = text.clone();
        int total = t.length;
        int n = total;
        total = n > 0 ? 1 : 0;
        for (int i = 1; i < n; i++) {
            byte x = t[i];
            if (t[i - 1] == ' ' && (x == '?' || x == '!' || x == '.' || x == ',')) {
                total--;
            }
            t[total++] = x;
        }
        n = total;
        total = n > 0 ? 1 : 0;
        for (int i = 1; i < n; i++) {
            byte x = t[i];
            if (x == '\'' && i + 1 < n && t[i - 1] == ' ' && t[i + 1] == ' ') {
                total--;
                t[++i] = 0;
            }
            t[total++] = x;
        }
        n = total;
        total = n > 0 ? 1 : 0;
        for (int i = 1; i < n; i++) {
            byte x = t[i];
            if (t[i - 1] == ' ' && x == '\'' && i + 1 < n) {
                byte x1 = t[i + 1];
                if (x1 == 's' || x1 == 'm') {
                    total--;
                } else if (i + 2 < n && ((x1 == 'r' && t[i + 2] == 'e') || (x1 == 'v' && t[i + 2] == 'e'))) {
                    total--;
                }
            }
            t[total++] = x;
        }
        return Arrays.copyOf(t, total);
    }

    /**
     * The last index at which {@code text[0, length)} can be cut so that cleaning the two parts apart gives the
     * same bytes as cleaning the whole: three bytes before and one after the cut that no rule looks at (not a
     * space, apostrophe or {@code ? ! . ,}). 0 when there is none.
     */
    static int lastSafeCut(byte[] text, int length) {
        int neutralRun = 0;
        for (int i = length - 1; i >= 0; i--) {
            if (isNeutral(text[i])) {
                neutralRun++;
                if (neutralRun >= 4) {
                    return i + 3;
                }
            } else {
                neutralRun = 0;
            }
        }
        return 0;
    }

    private static boolean isNeutral(byte b) {
        return b != ' ' && b != '\'' && b != '?' && b != '!' && b != '.' && b != ',' && b != 0;
    }
}
