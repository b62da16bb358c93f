package dev.hearth.tokenizer;

/**
 * The Unicode classes the pre-tokenizers test (letter, number, whitespace, mark, punctuation, symbol), from the
 * general category, with whitespace as Unicode White_Space (llama.cpp's table). A table answers for the BMP.
 */
final class CodePointClass {
    static final int LETTER = 1;
    static final int NUMBER = 2;
    static final int WHITESPACE = 4;
    static final int MARK = 8;
    static final int PUNCTUATION = 16;
    static final int SYMBOL = 32;

    private static final byte[] BMP = new byte[65536];

    static {
        for (int c = 0; c < BMP.length; c++) {
            BMP[c] = (byte) compute(c);
        }
    }

    private CodePointClass() {}

    static int of(int codePoint) {
        return codePoint < 65536 ? BMP[codePoint] : compute(codePoint);
    }

    static boolean isLetter(int codePoint) {
        return (of(codePoint) & LETTER) != 0;
    }

    static boolean isNumber(int codePoint) {
        return (of(codePoint) & NUMBER) != 0;
    }

    static boolean isWhitespace(int codePoint) {
        return (of(codePoint) & WHITESPACE) != 0;
    }

    private static int compute(int cp) {
        int flags = switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                 Character.MODIFIER_LETTER, Character.OTHER_LETTER -> LETTER;
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> NUMBER;
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK -> MARK;
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION -> PUNCTUATION;
            case Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL,
                 Character.OTHER_SYMBOL -> SYMBOL;
            default -> 0;
        };
        boolean whitespace = (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F
                || cp == 0x3000;
        return whitespace ? flags | WHITESPACE : flags;
    }
}
