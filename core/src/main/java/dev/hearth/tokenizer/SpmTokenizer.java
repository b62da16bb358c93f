package dev.hearth.tokenizer;

import java.nio.charset.StandardCharsets;

/**
 * SentencePiece-style tokenizer ({@code tokenizer.ggml.model = llama}), as llama.cpp's {@code llm_tokenizer_spm}:
 * spaces become {@code ▁} (with one prepended to text at the start and after every special token when
 * {@code add_space_prefix}), each character starts as a symbol, and the adjacent pair whose concatenation is the
 * vocabulary entry with the highest score (leftmost on ties) is merged until none is. Characters that are not tokens
 * fall back to their UTF-8 bytes as {@code <0xNN>} tokens (llama.cpp's {@code resegment}: its reverse-merge walk
 * never triggers, since every merge makes a vocabulary entry).
 */
final class SpmTokenizer extends Tokenizer {
    private static final char SPACE_MARKER = '\u2581';

    private final int[] byteIds = new int[256];
    private final int maxTokenChars;

    SpmTokenizer(Vocabulary vocabulary) {
        super(vocabulary, false);
        int longest = 1;
        for (int id = 0; id < vocabulary.size(); id++) {
            longest = Math.max(longest, vocabulary.text(id).length());
        }
        maxTokenChars = longest;
        for (int b = 0; b < 256; b++) {
            int id = vocabulary.idOf(String.format("<0x%02X>", b));
            if (id < 0) {
                id = vocabulary.idOf(new String(new byte[] {(byte) b}, StandardCharsets.ISO_8859_1));
            }
            byteIds[b] = id;
        }
    }

    @Override
    byte[] piece(int id, String text, TokenType type) {
        return switch (type) {
            case CONTROL, UNKNOWN, USER_DEFINED -> text.getBytes(StandardCharsets.UTF_8);
            case NORMAL -> text.replace(SPACE_MARKER, ' ').getBytes(StandardCharsets.UTF_8);
            case BYTE -> new byte[] {(byte) parseByteToken(id, text)};
            case UNDEFINED, UNUSED -> new byte[0];
        };
    }

    private static int parseByteToken(int id, String text) {
        if (text.length() == 6 && text.startsWith("<0x") && text.endsWith(">")) {
            try {
                return Integer.parseInt(text.substring(3, 5), 16);
            } catch (NumberFormatException e) {
                // fall through
            }
        }
        throw new IllegalArgumentException("token " + id + " '" + text + "' has type BYTE but is not spelled <0xNN>");
    }

    @Override
    void encodeFragment(String text, int from, int to, boolean afterSpecial, IntList out) {
        String prefix = afterSpecial && vocabulary.addSpacePrefix() ? " " : "";
        String s = (prefix + text.substring(from, to)).replace(' ', SPACE_MARKER);
        int n = s.length();
        int symbolCount = s.codePointCount(0, n);
        int[] starts = new int[symbolCount + 1];
        int[] lengths = new int[symbolCount];
        int[] prev = new int[symbolCount];
        int[] next = new int[symbolCount];
        for (int i = 0, pos = 0; i < symbolCount; i++) {
            starts[i] = pos;
            lengths[i] = Character.charCount(s.codePointAt(pos));
            pos += lengths[i];
            prev[i] = i - 1;
            next[i] = i + 1 < symbolCount ? i + 1 : -1;
        }
        BigramQueue queue = new BigramQueue();
        for (int i = 1; i < symbolCount; i++) {
            tryAddBigram(s, starts, lengths, i - 1, i, queue);
        }
        while (!queue.isEmpty()) {
            queue.pop();
            int left = queue.left();
            int right = queue.right();
            if (lengths[left] == 0 || lengths[right] == 0 || lengths[left] + lengths[right] != queue.size()) {
                continue;
            }
            lengths[left] += lengths[right];
            lengths[right] = 0;
            next[left] = next[right];
            if (next[right] >= 0) {
                prev[next[right]] = left;
            }
            tryAddBigram(s, starts, lengths, prev[left], left, queue);
            tryAddBigram(s, starts, lengths, left, next[left], queue);
        }
        // Every merge made a vocabulary entry, so a final symbol is a token or one character that is not one.
        for (int i = symbolCount > 0 ? 0 : -1; i >= 0; i = next[i]) {
            String symbol = s.substring(starts[i], starts[i] + lengths[i]);
            int id = vocabulary.idOf(symbol);
            if (id >= 0) {
                out.add(id);
            } else {
                for (byte b : symbol.getBytes(StandardCharsets.UTF_8)) {
                    out.add(byteToken(b & 0xFF));
                }
            }
        }
    }

    private void tryAddBigram(String s, int[] starts, int[] lengths, int left, int right, BigramQueue queue) {
        if (left < 0 || right < 0) {
            return;
        }
        int size = lengths[left] + lengths[right];
        if (size > maxTokenChars) {
            return;
        }
        int start = starts[left];
        int id = vocabulary.idOf(s.substring(start, start + size));
        if (id < 0) {
            return;
        }
        queue.push(BigramQueue.descendingScore(vocabulary.score(id)), left, right, size);
    }

    private int byteToken(int b) {
        int id = byteIds[b];
        if (id >= 0) {
            return id;
        }
        if (vocabulary.unk() >= 0) {
            return vocabulary.unk();
        }
        throw new IllegalStateException("byte 0x" + Integer.toHexString(b) + " has no <0xNN> token and there is no"
                + " unknown token");
    }
}
