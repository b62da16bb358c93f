package dev.hearth.grammar;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns a range of Unicode code points into sequences of byte ranges that match exactly its UTF-8 encodings, so that
 * the grammar can be matched on bytes (tokens may end inside a multi-byte character). Surrogates are excluded.
 */
final class Utf8Ranges {
    private Utf8Ranges() {}

    /** One sequence: {@code lows[i]..highs[i]} is the range of byte i. */
    record Sequence(int[] lows, int[] highs) {}

    static final int MAX_CODE_POINT = 0x10FFFF;
    private static final int[] LIMITS = {0x7F, 0x7FF, 0xFFFF, MAX_CODE_POINT};

    /** Appends the byte-range sequences of [from, to] to {@code out}. */
    static void split(int from, int to, List<Sequence> out) {
        if (from <= 0xDFFF && to >= 0xD800) {
            if (from < 0xD800) {
                split(from, 0xD7FF, out);
            }
            if (to > 0xDFFF) {
                split(0xE000, to, out);
            }
            return;
        }
        // split on encoding length
        for (int n = 0; n < 4; n++) {
            int lower = n == 0 ? 0 : LIMITS[n - 1] + 1;
            if (from <= LIMITS[n] && to >= lower && (from < lower || to > LIMITS[n])) {
                split(Math.max(from, lower), Math.min(to, LIMITS[n]), out);
                if (to > LIMITS[n]) {
                    split(LIMITS[n] + 1, to, out);
                }
                if (from < lower) {
                    split(from, lower - 1, out);
                }
                return;
            }
        }
        int length = from <= 0x7F ? 1 : from <= 0x7FF ? 2 : from <= 0xFFFF ? 3 : 4;
        // split until every continuation byte spans its full range or a single value
        for (int i = 1; i < length; i++) {
            int mask = (1 << (6 * i)) - 1;
            if ((from & ~mask) != (to & ~mask)) {
                if ((from & mask) != 0) {
                    split(from, from | mask, out);
                    split((from | mask) + 1, to, out);
                    return;
                }
                if ((to & mask) != mask) {
                    split(from, (to & ~mask) - 1, out);
                    split(to & ~mask, to, out);
                    return;
                }
            }
        }
        byte[] a = encode(from, length);
        byte[] b = encode(to, length);
        int[] lows = new int[length];
        int[] highs = new int[length];
        for (int i = 0; i < length; i++) {
            lows[i] = a[i] & 0xFF;
            highs[i] = b[i] & 0xFF;
        }
        out.add(new Sequence(lows, highs));
    }

    static List<Sequence> split(int from, int to) {
        List<Sequence> out = new ArrayList<>();
        split(from, to, out);
        return out;
    }

    static byte[] encode(int codePoint, int length) {
        return switch (length) {
            case 1 -> new byte[] {(byte) codePoint};
            case 2 -> new byte[] {(byte) (0xC0 | codePoint >> 6), (byte) (0x80 | codePoint & 0x3F)};
            case 3 -> new byte[] {(byte) (0xE0 | codePoint >> 12), (byte) (0x80 | codePoint >> 6 & 0x3F),
                    (byte) (0x80 | codePoint & 0x3F)};
            default -> new byte[] {(byte) (0xF0 | codePoint >> 18), (byte) (0x80 | codePoint >> 12 & 0x3F),
                    (byte) (0x80 | codePoint >> 6 & 0x3F), (byte) (0x80 | codePoint & 0x3F)};
        };
    }
}
