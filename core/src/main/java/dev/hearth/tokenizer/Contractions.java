package dev.hearth.tokenizer;

/** The English contractions after an apostrophe that the GPT-2 family of pre-tokenizers keeps as one word. */
final class Contractions {
    private Contractions() {}

    /** Length of {@code s|t|re|ve|m|ll|d} (any case) at {@code p}, or 0. */
    static int caseInsensitive(String s, int p, int end) {
        return match(s, p, end, 0x20);
    }

    /** Length of {@code s|t|re|ve|m|ll|d} (lower case only) at {@code p}, or 0. */
    static int lowerCase(String s, int p, int end) {
        return match(s, p, end, 0);
    }

    private static int match(String s, int p, int end, int fold) {
        char a = s.charAt(p);
        if (a >= 128) {
            return 0;
        }
        a = (char) (a | (Character.isLetter(a) ? fold : 0));
        if (a == 's' || a == 't' || a == 'm' || a == 'd') {
            return 1;
        }
        if (p + 1 < end) {
            char b = s.charAt(p + 1);
            if (b >= 128) {
                return 0;
            }
            b = (char) (b | (Character.isLetter(b) ? fold : 0));
            if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) {
                return 2;
            }
        }
        return 0;
    }
}
