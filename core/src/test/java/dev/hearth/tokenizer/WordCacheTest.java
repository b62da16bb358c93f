package dev.hearth.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WordCacheTest {

    private static int[] lookup(WordCache cache, String text, int from, int to) {
        return cache.get(text, from, to, WordCache.hash(text, from, to));
    }

    @Test
    void findsWordsByRegionAndNeverAnswersForAnotherWord() {
        WordCache cache = new WordCache(4 * WordCache.SLOT_BYTES);
        assertThat(cache.capacity()).isEqualTo(4);
        String text = "alpha beta gamma delta epsilon";
        String[] words = text.split(" ");
        int from = 0;
        for (int i = 0; i < words.length; i++) {
            int to = from + words[i].length();
            cache.put(text, from, to, WordCache.hash(text, from, to), new int[] {i});
            assertThat(lookup(cache, text, from, to)).containsExactly(i);
            from = to + 1;
        }
        // Five words in four slots: some were evicted; whatever is found is the word's own entry.
        int found = 0;
        from = 0;
        for (int i = 0; i < words.length; i++) {
            int to = from + words[i].length();
            int[] ids = lookup(cache, text, from, to);
            if (ids != null) {
                assertThat(ids).as(words[i]).containsExactly(i);
                found++;
            }
            from = to + 1;
        }
        assertThat(found).isBetween(1, 4);
        assertThat(lookup(cache, "alphabet", 0, 8)).isNull();
        assertThat(lookup(cache, "xalpha", 1, 6)).satisfiesAnyOf(ids -> assertThat(ids).isNull(),
                ids -> assertThat(ids).containsExactly(0));
    }

    @Test
    void sameHashDifferentWordsAreKeptApart() {
        WordCache cache = new WordCache(2 * WordCache.SLOT_BYTES);
        // "Aa" and "BB" have the same String hash.
        assertThat("Aa".hashCode()).isEqualTo("BB".hashCode());
        cache.put("Aa", 0, 2, WordCache.hash("Aa", 0, 2), new int[] {1});
        assertThat(lookup(cache, "BB", 0, 2)).isNull();
        cache.put("BB", 0, 2, WordCache.hash("BB", 0, 2), new int[] {2});
        assertThat(lookup(cache, "BB", 0, 2)).containsExactly(2);
        int[] aa = lookup(cache, "Aa", 0, 2);
        assertThat(aa == null || aa[0] == 1).isTrue();
    }

    @Test
    void manyDistinctWorstCaseWordsStayWithinTheByteBudget() {
        long budget = 1 << 20;
        WordCache cache = new WordCache(budget);
        assertThat(cache.capacity() * WordCache.SLOT_BYTES).isLessThanOrEqualTo(budget)
                .isGreaterThan(budget - 2 * WordCache.SLOT_BYTES);
        int[] ids = new int[WordCache.MAX_IDS];
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 100_000; i++) {  // 48 chars outside Latin-1: each String keeps 96 bytes
            text.setLength(0);
            text.append("\u4e00".repeat(WordCache.MAX_WORD_LENGTH - 8)).append(String.format("%08x", i));
            String word = text.toString().replace('0', '\u4e01');
            cache.put(word, 0, word.length(), WordCache.hash(word, 0, word.length()), ids);
        }
        assertThat(cache.bytesHeld()).isLessThanOrEqualTo(budget).isGreaterThan(budget / 2);
    }

    @Test
    void wordsOfTooManyIdsAreNotCached() {
        WordCache cache = new WordCache(16 * WordCache.SLOT_BYTES);
        cache.put("abc", 0, 3, WordCache.hash("abc", 0, 3), new int[WordCache.MAX_IDS + 1]);
        assertThat(lookup(cache, "abc", 0, 3)).isNull();
        cache.put("abc", 0, 3, WordCache.hash("abc", 0, 3), new int[WordCache.MAX_IDS]);
        assertThat(lookup(cache, "abc", 0, 3)).hasSize(WordCache.MAX_IDS);
    }

    @Test
    void longWordsAreNotCached() {
        WordCache cache = new WordCache(16 * WordCache.SLOT_BYTES);
        String word = "x".repeat(WordCache.MAX_WORD_LENGTH + 1);
        cache.put(word, 0, word.length(), WordCache.hash(word, 0, word.length()), new int[] {5});
        assertThat(lookup(cache, word, 0, word.length())).isNull();
    }
}
