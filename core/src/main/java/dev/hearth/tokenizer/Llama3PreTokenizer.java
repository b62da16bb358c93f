package dev.hearth.tokenizer;

import static dev.hearth.tokenizer.CodePointClass.LETTER;
import static dev.hearth.tokenizer.CodePointClass.NUMBER;
import static dev.hearth.tokenizer.CodePointClass.WHITESPACE;

/**
 * The Llama 3 pre-tokenizer written out by hand (the Qwen 2 one with {@code maxDigits} 1). It matches, at each
 * position, the first alternative of
 * {@code (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+}.
 */
final class Llama3PreTokenizer implements ScanningPreTokenizer {
    private final int maxDigits;

    Llama3PreTokenizer(int maxDigits) {
        this.maxDigits = maxDigits;
    }

    @Override
    public int wordEnd(String s, int pos, int end) {
        int c = s.codePointAt(pos);
        int next = pos + Character.charCount(c);
        if (c == '\'' && next < end) {
            int contraction = Contractions.caseInsensitive(s, next, end);
            if (contraction > 0) {
                return next + contraction;
            }
        }
        int flags = CodePointClass.of(c);
        if ((flags & LETTER) != 0) {
            return CodePointRuns.run(s, next, end, LETTER);
        }
        if (c != '\r' && c != '\n' && (flags & NUMBER) == 0 && next < end
                && CodePointClass.isLetter(s.codePointAt(next))) {
            return CodePointRuns.run(s, next, end, LETTER);
        }
        if ((flags & NUMBER) != 0) {
            int p = next;
            for (int n = 1; n < maxDigits && p < end; n++) {
                int d = s.codePointAt(p);
                if (!CodePointClass.isNumber(d)) {
                    break;
                }
                p += Character.charCount(d);
            }
            return p;
        }
        int p = c == ' ' && next < end ? next : pos;
        int first = s.codePointAt(p);
        if ((CodePointClass.of(first) & (LETTER | NUMBER | WHITESPACE)) == 0) {
            p = CodePointRuns.others(s, p, end);
            while (p < end && (s.charAt(p) == '\r' || s.charAt(p) == '\n')) {
                p++;
            }
            return p;
        }
        return whitespace(s, pos, end);
    }

    /** {@code \s*[\r\n]+|\s+(?!\S)|\s+} at a whitespace character (all whitespace is in the BMP). */
    static int whitespace(String s, int pos, int end) {
        int p = pos;
        int afterNewline = -1;
        while (p < end && CodePointClass.isWhitespace(s.charAt(p))) {
            char ch = s.charAt(p++);
            if (ch == '\r' || ch == '\n') {
                afterNewline = p;
            }
        }
        if (afterNewline > 0) {
            return afterNewline;
        }
        if (p < end && p - pos > 1) {
            return p - 1;
        }
        return p;
    }
}
