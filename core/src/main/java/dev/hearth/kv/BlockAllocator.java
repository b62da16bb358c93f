package dev.hearth.kv;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The pool of KV blocks ({@code blockSize} positions each) with reference counts and the automatic prefix cache.
 *
 * <p>A block is in one of three states: <b>free</b> (on the free stack, no contents worth keeping), <b>used</b>
 * (reference count at least 1: in some sequence's {@link BlockTable}), or <b>cached</b> (reference count 0 but full
 * and named by a prefix hash; kept on a least-recently-used list). {@link #allocate()} takes a free block first and
 * otherwise evicts the least recently released cached block. A cached or used block with a hash is found by
 * {@link #findCached}; {@link #retain} then shares it. Pure bookkeeping (no keys or values), one thread.
 */
public final class BlockAllocator {
    private static final int NONE = -1;
    private final int blockSize;
    private final int[] refCounts;
    private final int[] freeStack;
    private int freeCount;
    // prefix cache: per block, whether it is named by a hash, its hash, its parent's hash and its tokens
    private final boolean[] hashed;
    private final long[] hashes;
    private final long[] parents;
    private final int[] tokens;
    private final Map<Long, Integer> byHash = new HashMap<>();
    // least-recently-used list of cached blocks with reference count 0: head is evicted first
    private final int[] lruPrev;
    private final int[] lruNext;
    private int lruHead = NONE;
    private int lruTail = NONE;
    private int lruCount;
    private long evictions;

    public BlockAllocator(int numBlocks, int blockSize) {
        if (numBlocks < 1 || blockSize < 1) {
            throw new IllegalArgumentException("a KV block pool needs at least 1 block of at least 1 position, got "
                    + numBlocks + " blocks of " + blockSize);
        }
        this.blockSize = blockSize;
        refCounts = new int[numBlocks];
        freeStack = new int[numBlocks];
        for (int i = 0; i < numBlocks; i++) {
            freeStack[i] = numBlocks - 1 - i;  // block 0 is handed out first
        }
        freeCount = numBlocks;
        hashed = new boolean[numBlocks];
        hashes = new long[numBlocks];
        parents = new long[numBlocks];
        tokens = new int[Math.multiplyExact(numBlocks, blockSize)];
        lruPrev = new int[numBlocks];
        lruNext = new int[numBlocks];
    }

    public int blockSize() {
        return blockSize;
    }

    public int totalBlocks() {
        return refCounts.length;
    }

    /** Blocks that {@link #allocate()} can hand out now: free ones plus cached ones nobody uses. */
    public int available() {
        return freeCount + lruCount;
    }

    /** Cached blocks that nobody uses (kept for prefix reuse until evicted). */
    public int cachedUnused() {
        return lruCount;
    }

    public long evictions() {
        return evictions;
    }

    public int refCount(int block) {
        return refCounts[block];
    }

    /** Blocks needed for {@code positions} positions. */
    public int blocksFor(int positions) {
        return (positions + blockSize - 1) / blockSize;
    }

    /** A block with reference count 1 and no hash; evicts the least recently used cached block if none is free. */
    public int allocate() {
        int block;
        if (freeCount > 0) {
            block = freeStack[--freeCount];
        } else if (lruHead != NONE) {
            block = lruHead;
            unlink(block);
            forget(block);
            evictions++;
        } else {
            throw new KvCacheFullException("all " + refCounts.length + " KV blocks of " + blockSize
                    + " positions are in use (raise the KV cache budget or run fewer sequences)");
        }
        refCounts[block] = 1;
        return block;
    }

    /** One more user of a used or cached block (a cached block leaves the eviction list). */
    public void retain(int block) {
        if (refCounts[block] == 0) {
            if (!hashed[block]) {
                throw new IllegalStateException("block " + block + " is free; only used or cached blocks can be shared");
            }
            unlink(block);
        }
        refCounts[block]++;
    }

    /** One user fewer; at zero a hashed block becomes cached (most recently used), any other block free. */
    public void release(int block) {
        if (refCounts[block] <= 0) {
            throw new IllegalStateException("block " + block + " released more often than it was taken");
        }
        if (--refCounts[block] == 0) {
            if (hashed[block]) {
                linkTail(block);
            } else {
                freeStack[freeCount++] = block;
            }
        }
    }

    /**
     * The block named by {@code hash} whose parent hash and tokens equal {@code parent} and
     * tokens[from .. from + blockSize), or -1. Does not retain it.
     */
    public int findCached(long hash, long parent, int[] tokenIds, int from) {
        Integer block = byHash.get(hash);
        if (block == null || parents[block] != parent
                || !Arrays.equals(tokens, block * blockSize, (block + 1) * blockSize, tokenIds, from, from + blockSize)) {
            return NONE;
        }
        return block;
    }

    /**
     * Names a used, full block by its prefix hash so later requests can share it. Returns false (and changes nothing)
     * when another block already holds that prefix or this block is already named.
     */
    public boolean cache(int block, long hash, long parent, int[] tokenIds, int from) {
        if (refCounts[block] <= 0) {
            throw new IllegalStateException("block " + block + " is not in use; only used blocks can be cached");
        }
        if (hashed[block] || byHash.containsKey(hash)) {
            return false;
        }
        hashed[block] = true;
        hashes[block] = hash;
        parents[block] = parent;
        System.arraycopy(tokenIds, from, tokens, block * blockSize, blockSize);
        byHash.put(hash, block);
        return true;
    }

    public boolean isCached(int block) {
        return hashed[block];
    }

    private void forget(int block) {
        byHash.remove(hashes[block]);
        hashed[block] = false;
    }

    private void linkTail(int block) {
        lruPrev[block] = lruTail;
        lruNext[block] = NONE;
        if (lruTail == NONE) {
            lruHead = block;
        } else {
            lruNext[lruTail] = block;
        }
        lruTail = block;
        lruCount++;
    }

    private void unlink(int block) {
        int p = lruPrev[block];
        int n = lruNext[block];
        if (p == NONE) {
            lruHead = n;
        } else {
            lruNext[p] = n;
        }
        if (n == NONE) {
            lruTail = p;
        } else {
            lruPrev[n] = p;
        }
        lruCount--;
    }
}
