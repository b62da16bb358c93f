package dev.hearth.kv;

import java.util.Arrays;

/**
 * One sequence's KV blocks in position order: position p lives in block {@code block(p / blockSize)}. The first
 * {@link #hashed()} blocks are full and carry the hash of their token prefix ({@link PrefixHash}). Owned by one thread
 * (the engine's); grows by doubling, so appends allocate only O(log n) times per sequence.
 */
public final class BlockTable {
    private int[] blocks = new int[8];
    private long[] hashes = new long[8];
    private int size;
    private int hashed;

    /** The backing array; entries [0, size()) are valid. */
    public int[] blocks() {
        return blocks;
    }

    public int size() {
        return size;
    }

    public int block(int index) {
        if (index >= size) {
            throw new IndexOutOfBoundsException("block " + index + " of a table of " + size);
        }
        return blocks[index];
    }

    public void add(int block) {
        if (size == blocks.length) {
            blocks = Arrays.copyOf(blocks, size * 2);
            hashes = Arrays.copyOf(hashes, size * 2);
        }
        blocks[size++] = block;
    }

    /** Full blocks whose prefix hash is known (a prefix of the table). */
    public int hashed() {
        return hashed;
    }

    public long hash(int index) {
        if (index >= hashed) {
            throw new IndexOutOfBoundsException("block " + index + " has no hash yet (" + hashed + " hashed)");
        }
        return hashes[index];
    }

    /** Records the prefix hash of the next full block, {@code hashed()}. */
    public void addHash(long hash) {
        if (hashed >= size) {
            throw new IllegalStateException("no block " + hashed + " to hash in a table of " + size);
        }
        hashes[hashed++] = hash;
    }

    /** Positions the table has room for. */
    public int capacity(int blockSize) {
        return size * blockSize;
    }

    /** Empties the table without releasing anything (for blocks that were listed but never retained). */
    public void forgetUnretained() {
        size = 0;
        hashed = 0;
    }

    /** Gives every block back to the allocator (one release each) and empties the table. */
    public void releaseAll(BlockAllocator allocator) {
        for (int i = size - 1; i >= 0; i--) {
            allocator.release(blocks[i]);
        }
        size = 0;
        hashed = 0;
    }
}
