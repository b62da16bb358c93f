package dev.hearth.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-level BPE ({@code tokenizer.ggml.model = gpt2}), as llama.cpp's {@code llm_tokenizer_bpe}: the
 * pre-tokenizer splits text into words; each word starts as one symbol per UTF-8 byte and the adjacent pair with
 * the lowest merge rank (leftmost on ties) is merged until no pair merges. Words seen before come from a bounded
 * cache.
 */
final class BpeTokenizer extends Tokenizer {
    private static final int CACHE_MAX_WORDS = 1 << 17;
    private static final int CACHE_MAX_WORD_LENGTH = 48;

    private final PreTokenizer preTokenizer;
    private final BpeMerges merges;
    private final boolean ignoreMerges;
    /** Token ids by their bytes as a Latin-1 string (tokens spelled in the byte-level alphabet only). */
    private final Map<String, Integer> idsByBytes;
    private final int[] byteIds = new int[256];
    private final ConcurrentHashMap<String, int[]> wordCache = new ConcurrentHashMap<>();

    private BpeTokenizer(Vocabulary vocabulary, PreTokenizerKind kind, Map<String, Integer> idsByBytes,
                         String[] mergeTexts) {
        super(vocabulary, kind.cleanSpaces);
        this.preTokenizer = kind.create();
        this.ignoreMerges = kind.ignoreMerges;
        this.idsByBytes = idsByBytes;
        this.merges = BpeMerges.parse(mergeTexts, this::idOfBytes);
        for (int b = 0; b < 256; b++) {
            byteIds[b] = idOfBytes(String.valueOf((char) b));
        }
    }

    static BpeTokenizer create(Vocabulary vocabulary, String[] merges) {
        PreTokenizerKind kind = PreTokenizerKind.fromName(vocabulary.pre());
        Map<String, Integer> idsByBytes = HashMap.newHashMap(vocabulary.size());
        for (int id = 0; id < vocabulary.size(); id++) {
            byte[] bytes = ByteLevel.strictDecode(vocabulary.text(id));
            if (bytes != null) {
                idsByBytes.put(new String(bytes, StandardCharsets.ISO_8859_1), id);
            }
        }
        return new BpeTokenizer(vocabulary, kind, idsByBytes, merges);
    }

    private int idOfBytes(String latin1) {
        Integer id = idsByBytes.get(latin1);
        return id == null ? -1 : id;
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
        IntList ends = new IntList(Math.min(1024, (to - from) / 3 + 4));
        preTokenizer.split(text, from, to, ends);
        WordScratch scratch = null;
        int start = from;
        for (int i = 0; i < ends.size(); i++) {
            int end = ends.get(i);
            String word = text.substring(start, end);
            start = end;
            int[] ids = wordCache.get(word);
            if (ids == null) {
                if (scratch == null) {
                    scratch = new WordScratch();
                }
                ids = encodeWord(word, scratch);
                if (word.length() <= CACHE_MAX_WORD_LENGTH && wordCache.size() < CACHE_MAX_WORDS) {
                    wordCache.putIfAbsent(word, ids);
                }
            }
            out.addAll(ids);
        }
    }

    /** Per-call arrays for the merge loop over one word. */
    private static final class WordScratch {
        int[] ids = new int[64];
        int[] lengths = new int[64];
        int[] prev = new int[64];
        int[] next = new int[64];
        final BigramQueue queue = new BigramQueue();

        void ensure(int n) {
            if (ids.length < n) {
                ids = new int[n];
                lengths = new int[n];
                prev = new int[n];
                next = new int[n];
            }
        }
    }

    private int[] encodeWord(String word, WordScratch s) {
        byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
        if (ignoreMerges) {
            int whole = idOfBytes(new String(bytes, StandardCharsets.ISO_8859_1));
            if (whole >= 0) {
                return new int[] {whole};
            }
        }
        int n = bytes.length;
        s.ensure(n);
        for (int i = 0; i < n; i++) {
            s.ids[i] = byteIds[bytes[i] & 0xFF];
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
        IntList out = new IntList(8);
        for (int i = 0; i >= 0; i = s.next[i]) {
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
