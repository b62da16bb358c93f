package dev.hearth.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.IntFunction;

/**
 * Turns generated ids into text incrementally: {@link #push} returns the new text, holding back the bytes of a
 * character that is not complete yet, so no delta ends inside a UTF-8 sequence; {@link #finish} returns what is
 * held. The deltas joined equal {@link Tokenizer#decode} of the same ids (for vocabularies without
 * {@code clean_spaces} too: spaces are cleaned in stretches cut where no rule can reach across; a trailing EOS is
 * not removed, the stream cannot know it is the last). One per sequence, not thread-safe. Made by
 * {@link Tokenizer#detokenizer}, which passes what it needs (the vocabulary, its pieces, {@code clean_spaces}) rather
 * than itself, so that the detokenizer does not reach back to the tokenizer.
 */
public final class Detokenizer {
    private final Vocabulary vocabulary;
    private final boolean cleanSpaces;
    /** A token's bytes as decoding writes them (special tokens as text or empty, as the tokenizer was asked). */
    private final IntFunction<byte[]> pieceBytes;
    private final boolean removeSpecial;
    private byte[] pending = new byte[16];
    private int pendingLength;
    /** With clean_spaces: decoded bytes not cleaned yet. */
    private byte[] raw = new byte[16];
    private int rawLength;
    private boolean first = true;
    private boolean removeSpace;

    Detokenizer(Vocabulary vocabulary, boolean cleanSpaces, IntFunction<byte[]> pieceBytes, boolean removeSpecial) {
        this.vocabulary = vocabulary;
        this.cleanSpaces = cleanSpaces;
        this.pieceBytes = pieceBytes;
        this.removeSpecial = removeSpecial;
        this.removeSpace = vocabulary.addSpacePrefix();
    }

    /** Adds one token and returns the text that is now complete (often empty for a partial character). */
    public String push(int id) {
        Vocabulary v = vocabulary;
        if (first) {
            first = false;
            if (removeSpecial && v.addBos() && id == v.bos()) {
                v.check(id);
                removeSpace = false;
                return "";
            }
        }
        byte[] piece = pieceBytes.apply(id);
        int skip = removeSpace && piece.length > 0 && piece[0] == ' ' ? 1 : 0;
        removeSpace = false;
        if (cleanSpaces) {
            raw = appendTo(raw, rawLength, piece, skip, piece.length - skip);
            rawLength += piece.length - skip;
            int cut = SpaceCleaner.lastSafeCut(raw, rawLength);
            if (cut > 0) {
                byte[] cleaned = SpaceCleaner.clean(Arrays.copyOf(raw, cut));
                append(cleaned, 0, cleaned.length);
                System.arraycopy(raw, cut, raw, 0, rawLength - cut);
                rawLength -= cut;
            }
        } else {
            append(piece, skip, piece.length - skip);
        }
        int complete = completePrefix(pending, pendingLength);
        if (complete == 0) {
            return "";
        }
        String text = new String(pending, 0, complete, StandardCharsets.UTF_8);
        System.arraycopy(pending, complete, pending, 0, pendingLength - complete);
        pendingLength -= complete;
        return text;
    }

    /** Returns the bytes still held (an incomplete character becomes U+FFFD) and empties the stream. */
    public String finish() {
        if (rawLength > 0) {
            byte[] cleaned = SpaceCleaner.clean(Arrays.copyOf(raw, rawLength));
            append(cleaned, 0, cleaned.length);
            rawLength = 0;
        }
        String text = new String(pending, 0, pendingLength, StandardCharsets.UTF_8);
        pendingLength = 0;
        return text;
    }

    private void append(byte[] bytes, int offset, int length) {
        pending = appendTo(pending, pendingLength, bytes, offset, length);
        pendingLength += length;
    }

    private static byte[] appendTo(byte[] buffer, int used, byte[] bytes, int offset, int length) {
        if (used + length > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, used + length));
        }
        System.arraycopy(bytes, offset, buffer, used, length);
        return buffer;
    }

    /**
     * The length of {@code bytes[0, length)} without a trailing sequence that a following byte could still
     * complete (a lead byte followed by fewer continuation bytes than it announces).
     */
    static int completePrefix(byte[] bytes, int length) {
        for (int back = 1; back <= Math.min(3, length); back++) {
            int b = bytes[length - back] & 0xFF;
            if ((b & 0xC0) == 0x80) {
                continue;
            }
            int needed = b >= 0xF0 && b <= 0xF4 ? 4 : b >= 0xE0 && b < 0xF0 ? 3 : b >= 0xC2 && b < 0xE0 ? 2 : 1;
            return back < needed ? length - back : length;
        }
        return length;
    }
}
