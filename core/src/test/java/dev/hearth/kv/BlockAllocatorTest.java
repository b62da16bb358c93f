package dev.hearth.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Reference counts, the free list, the prefix cache and its least-recently-used eviction, without any model. */
class BlockAllocatorTest {
    private static final int[] TOKENS = java.util.stream.IntStream.range(0, 64).map(i -> i * 7 + 1).toArray();

    @Test
    void refCountsShareAndNeverGoNegative() {
        BlockAllocator a = new BlockAllocator(3, 4);
        int b0 = a.allocate();
        int b1 = a.allocate();
        int b2 = a.allocate();
        assertThat(new int[] {b0, b1, b2}).containsExactly(0, 1, 2);
        assertThat(a.available()).isZero();
        assertThatThrownBy(a::allocate).isInstanceOf(KvCacheFullException.class)
                .hasMessageContaining("all 3 KV blocks of 4 positions are in use");
        a.retain(b1);
        assertThat(a.refCount(b1)).isEqualTo(2);
        a.release(b1);
        a.release(b1);
        assertThat(a.refCount(b1)).isZero();
        assertThat(a.available()).isEqualTo(1);
        assertThatThrownBy(() -> a.release(b1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("block 1 released more often than it was taken");
        assertThat(a.refCount(b1)).isZero();
        assertThatThrownBy(() -> a.retain(b1)).hasMessageContaining("block 1 is free");
        assertThat(a.allocate()).isEqualTo(b1);
    }

    @Test
    void cachedBlocksAreFoundSharedAndEvictedLeastRecentlyUsedFirst() {
        BlockAllocator a = new BlockAllocator(3, 4);
        long h0 = PrefixHash.next(PrefixHash.ROOT, TOKENS, 0, 4);
        long h1 = PrefixHash.next(h0, TOKENS, 4, 4);
        int b0 = a.allocate();
        int b1 = a.allocate();
        assertThat(a.cache(b0, h0, PrefixHash.ROOT, TOKENS, 0)).isTrue();
        assertThat(a.cache(b1, h1, h0, TOKENS, 4)).isTrue();
        assertThat(a.cache(b1, h1, h0, TOKENS, 4)).as("already named").isFalse();
        // found while still in use, and shared
        assertThat(a.findCached(h0, PrefixHash.ROOT, TOKENS, 0)).isEqualTo(b0);
        // a lookup checks parent and tokens, not only the hash
        assertThat(a.findCached(h1, PrefixHash.ROOT, TOKENS, 4)).isEqualTo(-1);
        int[] other = TOKENS.clone();
        other[5]++;
        assertThat(a.findCached(h1, h0, other, 4)).isEqualTo(-1);
        // released: kept as cached (still findable), counted as available
        a.release(b1);  // released first: least recently used
        a.release(b0);
        assertThat(a.available()).isEqualTo(3);
        assertThat(a.cachedUnused()).isEqualTo(2);
        assertThat(a.findCached(h1, h0, TOKENS, 4)).isEqualTo(b1);
        // the free block goes first, then the least recently used cached block (b1), and its name is forgotten
        int fresh = a.allocate();
        assertThat(fresh).isNotIn(b0, b1);
        assertThat(a.allocate()).isEqualTo(b1);
        assertThat(a.evictions()).isEqualTo(1);
        assertThat(a.findCached(h1, h0, TOKENS, 4)).isEqualTo(-1);
        assertThat(a.isCached(b1)).isFalse();
        // retaining a cached block takes it off the eviction list
        a.retain(b0);
        assertThat(a.available()).isZero();
        assertThatThrownBy(a::allocate).isInstanceOf(KvCacheFullException.class);
        assertThat(a.findCached(h0, PrefixHash.ROOT, TOKENS, 0)).isEqualTo(b0);
    }

    @Test
    void tablesReleaseEveryBlockOnceAndPrefixHashesChain() {
        BlockAllocator a = new BlockAllocator(4, 2);
        BlockTable t = new BlockTable();
        for (int i = 0; i < 3; i++) {
            t.add(a.allocate());
        }
        assertThat(t.capacity(2)).isEqualTo(6);
        t.releaseAll(a);
        assertThat(t.size()).isZero();
        assertThat(a.available()).isEqualTo(4);
        for (int b = 0; b < 4; b++) {
            assertThat(a.refCount(b)).isZero();
        }
        // the hash of block i depends on all tokens before it
        long x = PrefixHash.next(PrefixHash.ROOT, new int[] {1, 2}, 0, 2);
        long y = PrefixHash.next(PrefixHash.ROOT, new int[] {1, 3}, 0, 2);
        assertThat(PrefixHash.next(x, new int[] {5, 6}, 0, 2)).isNotEqualTo(PrefixHash.next(y, new int[] {5, 6}, 0, 2));
        assertThat(PrefixHash.next(x, new int[] {5, 6}, 0, 2)).isEqualTo(PrefixHash.next(x, new int[] {9, 5, 6}, 1, 2));
    }
}
