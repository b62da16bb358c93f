package dev.hearth.kv;

/**
 * The hash chain that names full KV blocks by their whole token prefix: hash(block i) = mix(hash(block i - 1), tokens
 * of block i), starting from {@link #ROOT}. Two sequences whose first n blocks hold the same tokens get the same n
 * hashes, so a new request can find the blocks another one computed. The allocator also keeps each cached block's
 * tokens and parent hash and compares them on lookup, so a 64-bit collision can never hand out wrong keys and values.
 */
public final class PrefixHash {
    public static final long ROOT = 0x6A09E667F3BCC909L;

    private PrefixHash() {}

    /** The hash of the block holding tokens[from .. from + count) after a block whose hash is {@code parent}. */
    public static long next(long parent, int[] tokens, int from, int count) {
        long h = mix(parent ^ 0x9E3779B97F4A7C15L * (count + 1));
        for (int i = 0; i < count; i++) {
            h = mix(h ^ (tokens[from + i] & 0xFFFFFFFFL) * 0xBF58476D1CE4E5B9L + i);
        }
        return h;
    }

    /** SplitMix64's finalizer: every input bit moves about half the output bits. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
