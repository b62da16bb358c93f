package dev.hearth.tokenizer;

import java.nio.charset.StandardCharsets;

/**
 * Byte-level BPE ({@code tokenizer.ggml.model = gpt2}), as llama.cpp's {@code llm_tokenizer_bpe}: the
 * pre-tokenizer splits text into words; each word starts as one symbol per UTF-8 byte and the adjacent pair with
 * the lowest merge rank (leftmost on ties) is merged until no pair merges. Words seen before come from a bounded
 * shared cache; a one-byte word is its byte's token.
 */
final class BpeTokenizer extends Tokenizer {
    /** The word cache's budget: about 42,000 words (each word's entry is bounded, see {@link WordCache}). */
    static final long CACHE_BYTES = 16L << 20;

    private final PreTokenizer preTokenizer;
    private final BpeMerges merges;
    private final boolean ignoreMerges;
    private final TokenIndex index;
    private final int[] byteIds = new int[256];
    private final WordCache wordCache = new WordCache(CACHE_BYTES);

    private BpeTokenizer(Vocabulary vocabulary, PreTokenizerKind kind, String[] mergeTexts) {
        super(vocabulary, kind.cleanSpaces);
        this.preTokenizer = kind.create();
        this.ignoreMerges = kind.ignoreMerges;
        this.index = vocabulary.index();
        this.merges = BpeMerges.parse(mergeTexts, index);
        char[] one = new char[1];
        for (int b = 0; b < 256; b++) {
            one[0] = ByteLevel.charOf(b);
            byteIds[b] = index.get(one, 1);
        }
    }

    static BpeTokenizer create(Vocabulary vocabulary, String[] merges) {
        return new BpeTokenizer(vocabulary, PreTokenizerKind.fromName(vocabulary.pre()), merges);
    }

    @Override
    byte[] piece(int id, String text, TokenType type) {
        return switch (type) {
            case CONTROL, UNKNOWN, USER_DEFINED -> text.getBytes(StandardCharsets.UTF_8);
            case NORMAL -> ByteLevel.lenientDecode(text);
            case UNDEFINED, UNUSED, BYTE -> new byte[0];
        };
    }

    @Override
    void encodeFragment(String text, int from, int to, boolean afterSpecial, IntList out) {
        IntList ends = new IntList(Math.min(1 << 16, (to - from) / 3 + 4));
        preTokenizer.split(text, from, to, ends);
        WordScratch scratch = null;
        int start = from;
        for (int i = 0; i < ends.size(); i++) {
            int end = ends.get(i);
            char c = text.charAt(start);
            if (end - start == 1 && c < 0x80) {
                int id = byteIds[c];
                if (id >= 0) {
                    out.add(id);
                }
                start = end;
                continue;
            }
            int hash = WordCache.hash(text, start, end);
            int[] ids = wordCache.get(text, start, end, hash);
            if (ids == null) {
                if (scratch == null) {
                    scratch = new WordScratch();
                }
                ids = encodeWord(text, start, end, scratch);
                wordCache.put(text, start, end, hash, ids);
            }
            out.addAll(ids);
            start = end;
        }
    }

    /** Per-call arrays for the merge loop over one word. */
    private static final class WordScratch {
        byte[] bytes = new byte[64 * Utf8.MAX_BYTES_PER_CHAR];
        char[] chars = new char[bytes.length];
        int[] ids = new int[bytes.length];
        int[] lengths = new int[bytes.length];
        int[] prev = new int[bytes.length];
        int[] next = new int[bytes.length];
        final BigramQueue queue = new BigramQueue();
        final IntList out = new IntList(16);

        void ensure(int chars) {
            int n = chars * Utf8.MAX_BYTES_PER_CHAR;
            if (bytes.length < n) {
                bytes = new byte[n];
                this.chars = new char[n];
                ids = new int[n];
                lengths = new int[n];
                prev = new int[n];
                next = new int[n];
            }
        }
    }

    private int[] encodeWord(String text, int from, int to, WordScratch s) {
        s.ensure(to - from);
        int n = Utf8.encode(text, from, to, s.bytes);
        if (ignoreMerges) {
            for (int i = 0; i < n; i++) {
                s.chars[i] = ByteLevel.charOf(s.bytes[i]);
            }
            int whole = index.get(s.chars, n);
            if (whole >= 0) {
                return new int[] {whole};
            }
        }
        for (int i = 0; i < n; i++) {
            s.ids[i] = byteIds[s.bytes[i] & 0xFF];
            s.lengths[i] = 1;
            s.prev[i] = i - 1;
            s.next[i] = i + 1 < n ? i + 1 : -1;
        }
        BigramQueue queue = s.queue;
        queue.clear();
        for (int i = 1; i < n; i++) {
            addBigram(s, i - 1, i);
        }
        while (!queue.isEmpty()) {
            queue.pop();
            int left = queue.left();
            int right = queue.right();
            if (s.lengths[left] == 0 || s.lengths[right] == 0
                    || s.lengths[left] + s.lengths[right] != queue.size()) {
                continue;
            }
            s.ids[left] = (int) merges.find(s.ids[left], s.ids[right]);
            s.lengths[left] += s.lengths[right];
            s.lengths[right] = 0;
            s.next[left] = s.next[right];
            if (s.next[right] >= 0) {
                s.prev[s.next[right]] = left;
            }
            addBigram(s, s.prev[left], left);
            addBigram(s, left, s.next[left]);
        }
        IntList out = s.out;
        out.clear();
        for (int i = n > 0 ? 0 : -1; i >= 0; i = s.next[i]) {
            if (s.ids[i] >= 0) {
                out.add(s.ids[i]);
            }
        }
        return out.toArray();
    }

    private void addBigram(WordScratch s, int left, int right) {
        if (left < 0 || right < 0 || s.ids[left] < 0 || s.ids[right] < 0) {
            return;
        }
        long merge = merges.find(s.ids[left], s.ids[right]);
        if (merge >= 0) {
            s.queue.push((int) (merge >>> 32), left, right, s.lengths[left] + s.lengths[right]);
        }
    }
}
