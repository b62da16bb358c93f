package dev.hearth.tokenizer;

import static dev.hearth.tokenizer.CodePointClass.LETTER;
import static dev.hearth.tokenizer.CodePointClass.NUMBER;
import static dev.hearth.tokenizer.CodePointClass.WHITESPACE;

/**
 * Where a run of code points of one class ends: the {@code \p{L}+}, {@code \p{N}+} and {@code [^\s\p{L}\p{N}]+} of
 * the GPT-2 family's regexes, shared by the hand-written pre-tokenizers (so that none reaches into another).
 */
final class CodePointRuns {
    private CodePointRuns() {}

    /** The end of the run of characters of class {@code flags} (LETTER, NUMBER) from {@code p}. */
    static int run(String s, int p, int end, int flags) {
        while (p < end) {
            int d = s.codePointAt(p);
            if ((CodePointClass.of(d) & flags) == 0) {
                break;
            }
            p += Character.charCount(d);
        }
        return p;
    }

    /** A run of characters that are not whitespace, letters or numbers. */
    static int others(String s, int p, int end) {
        while (p < end) {
            int d = s.codePointAt(p);
            if ((CodePointClass.of(d) & (LETTER | NUMBER | WHITESPACE)) != 0) {
                break;
            }
            p += Character.charCount(d);
        }
        return p;
    }
}
