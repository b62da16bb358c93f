package dev.hearth.tokenizer;

import java.nio.charset.StandardCharsets;

/**
 * SentencePiece-style tokenizer ({@code tokenizer.ggml.model = llama}), as llama.cpp's {@code llm_tokenizer_spm}:
 * spaces become {@code ▁} (with one prepended to text at the start and after every special token when
 * {@code add_space_prefix}), each character starts as a symbol, and the adjacent pair whose concatenation is the
 * vocabulary entry with the highest score (leftmost on ties) is merged until none is. Characters that are not tokens
 * fall back to their UTF-8 bytes as {@code <0xNN>} tokens (llama.cpp's {@code resegment}: its reverse-merge walk
 * never triggers, since every merge makes a vocabulary entry). Merges work on symbol ids ({@link SpmMerges}); the
 * text is cut where no token spans two neighbouring characters and each piece goes through a shared word cache.
 */
final class SpmTokenizer extends Tokenizer {
    private static final char SPACE_MARKER = '\u2581';

    /** The word cache's budget: about 21,000 words (each word's entry is bounded, see {@link WordCache}). */
    static final long CACHE_BYTES = 8L << 20;

    private final int[] byteIds = new int[256];
    /** Built on the first encode, so that loading stays cheap. */
    private volatile SpmMerges merges;
    private final WordCache wordCache = new WordCache(CACHE_BYTES);

    SpmTokenizer(Vocabulary vocabulary) {
        super(vocabulary, false);
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
        boolean prefix = afterSpecial && vocabulary.addSpacePrefix();
        StringBuilder joined = new StringBuilder(to - from + 1);
        if (prefix) {
            joined.append(SPACE_MARKER);
        }
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            joined.append(c == ' ' ? SPACE_MARKER : c);
        }
        String s = joined.toString();
        int n = s.length();
        SpmMerges merges = merges();
        SpmScratch scratch = new SpmScratch();
        int chunkStart = 0;
        int previous = -1;
        for (int pos = 0; pos < n; ) {
            int cp = s.codePointAt(pos);
            if (previous >= 0 && !merges.mayJoin(previous, cp)) {
                encodeChunk(merges, s, chunkStart, pos, scratch, out);
                chunkStart = pos;
            }
            previous = cp;
            pos += Character.charCount(cp);
        }
        if (n > 0) {
            encodeChunk(merges, s, chunkStart, n, scratch, out);
        }
    }

    /** Encodes {@code s[from, to)}, a stretch no merge can reach out of, through the word cache. */
    private SpmMerges merges() {
        SpmMerges m = merges;
        if (m == null) {
            synchronized (this) {
                m = merges;
                if (m == null) {
                    m = new SpmMerges(vocabulary);
                    merges = m;
                }
            }
        }
        return m;
    }

    private void encodeChunk(SpmMerges merges, String s, int from, int to, SpmScratch scratch, IntList out) {
        int hash = WordCache.hash(s, from, to);
        int[] ids = wordCache.get(s, from, to, hash);
        if (ids == null) {
            ids = merge(merges, s, from, to, scratch);
            wordCache.put(s, from, to, hash, ids);
        }
        out.addAll(ids);
    }

    private int[] merge(SpmMerges merges, String s, int from, int to, SpmScratch t) {
        t.ensure(to - from);
        int count = 0;
        for (int pos = from; pos < to; count++) {
            int cp = s.codePointAt(pos);
            int length = Character.charCount(cp);
            t.symbols[count] = merges.symbol(cp);
            t.starts[count] = pos;
            t.lengths[count] = length;
            t.prev[count] = count - 1;
            t.next[count] = count + 1;
            pos += length;
        }
        t.next[count - 1] = -1;
        BigramQueue queue = t.queue;
        queue.clear();
        for (int i = 1; i < count; i++) {
            addBigram(merges, t, i - 1, i);
        }
        while (!queue.isEmpty()) {
            queue.pop();
            int left = queue.left();
            int right = queue.right();
            if (t.lengths[left] == 0 || t.lengths[right] == 0 || t.lengths[left] + t.lengths[right] != queue.size()) {
                continue;
            }
            t.symbols[left] = (int) merges.merge(t.symbols[left], t.symbols[right]);
            t.lengths[left] += t.lengths[right];
            t.lengths[right] = 0;
            t.next[left] = t.next[right];
            if (t.next[right] >= 0) {
                t.prev[t.next[right]] = left;
            }
            addBigram(merges, t, t.prev[left], left);
            addBigram(merges, t, left, t.next[left]);
        }
        // Every merge made a token, so a final symbol is a token or one character that is not one.
        IntList ids = t.out;
        ids.clear();
        for (int i = 0; i >= 0; i = t.next[i]) {
            if (merges.isToken(t.symbols[i])) {
                ids.add(t.symbols[i]);
            } else {
                int bytes = Utf8.encode(s, t.starts[i], t.starts[i] + t.lengths[i], t.bytes);
                for (int b = 0; b < bytes; b++) {
                    ids.add(byteToken(t.bytes[b] & 0xFF));
                }
            }
        }
        return ids.toArray();
    }

    private static void addBigram(SpmMerges merges, SpmScratch t, int left, int right) {
        if (left < 0 || right < 0) {
            return;
        }
        long merge = merges.merge(t.symbols[left], t.symbols[right]);
        if (merge != -1L) {
            t.queue.push((int) (merge >> 32), left, right, t.lengths[left] + t.lengths[right]);
        }
    }

    /** Per-call arrays for the merge loop over one chunk. */
    private static final class SpmScratch {
        int[] symbols = new int[64];
        int[] starts = new int[64];
        int[] lengths = new int[64];
        int[] prev = new int[64];
        int[] next = new int[64];
        final byte[] bytes = new byte[4];
        final BigramQueue queue = new BigramQueue();
        final IntList out = new IntList(16);

        void ensure(int n) {
            if (symbols.length < n) {
                symbols = new int[n];
                starts = new int[n];
                lengths = new int[n];
                prev = new int[n];
                next = new int[n];
            }
        }
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
