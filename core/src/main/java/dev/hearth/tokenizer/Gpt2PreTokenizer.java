package dev.hearth.tokenizer;

import static dev.hearth.tokenizer.CodePointClass.LETTER;
import static dev.hearth.tokenizer.CodePointClass.NUMBER;
import static dev.hearth.tokenizer.CodePointClass.WHITESPACE;

/**
 * GPT-2's pre-tokenizer written out by hand:
 * {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+}.
 */
final class Gpt2PreTokenizer implements ScanningPreTokenizer {

    @Override
    public int wordEnd(String s, int pos, int end) {
        int c = s.codePointAt(pos);
        int next = pos + Character.charCount(c);
        if (c == '\'' && next < end) {
            int contraction = Contractions.lowerCase(s, next, end);
            if (contraction > 0) {
                return next + contraction;
            }
        }
        int p = c == ' ' && next < end ? next : pos;
        int first = s.codePointAt(p);
        int flags = CodePointClass.of(first);
        if ((flags & LETTER) != 0) {
            return CodePointRuns.run(s, p, end, LETTER);
        }
        if ((flags & NUMBER) != 0) {
            return CodePointRuns.run(s, p, end, NUMBER);
        }
        if ((flags & WHITESPACE) == 0) {
            return CodePointRuns.others(s, p, end);
        }
        p = pos;
        while (p < end && CodePointClass.isWhitespace(s.charAt(p))) {
            p++;
        }
        return p < end && p - pos > 1 ? p - 1 : p;
    }
}
