package dev.hearth.tokenizer;

import java.util.Arrays;

/**
 * A min-heap of candidate merges of adjacent symbols, keyed by a long (priority in the high half, left symbol index
 * in the low half, so ties go to the leftmost pair), each carrying the right symbol and the merged length. Scratch
 * for one encode call.
 */
final class BigramQueue {
    private long[] keys = new long[64];
    private int[] rights = new int[64];
    private int[] sizes = new int[64];
    private int count;

    private long topKey;
    private int topRight;
    private int topSize;

    void clear() {
        count = 0;
    }

    boolean isEmpty() {
        return count == 0;
    }

    void push(int priority, int left, int right, int size) {
        if (count == keys.length) {
            keys = Arrays.copyOf(keys, count * 2);
            rights = Arrays.copyOf(rights, count * 2);
            sizes = Arrays.copyOf(sizes, count * 2);
        }
        long key = ((long) priority << 32) | (left & 0xFFFFFFFFL);
        int i = count++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (keys[parent] <= key) {
                break;
            }
            keys[i] = keys[parent];
            rights[i] = rights[parent];
            sizes[i] = sizes[parent];
            i = parent;
        }
        keys[i] = key;
        rights[i] = right;
        sizes[i] = size;
    }

    /** Removes the smallest entry; read it with {@link #left()}, {@link #right()}, {@link #size()}. */
    void pop() {
        topKey = keys[0];
        topRight = rights[0];
        topSize = sizes[0];
        count--;
        if (count == 0) {
            return;
        }
        long key = keys[count];
        int right = rights[count];
        int size = sizes[count];
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= count) {
                break;
            }
            if (child + 1 < count && keys[child + 1] < keys[child]) {
                child++;
            }
            if (keys[child] >= key) {
                break;
            }
            keys[i] = keys[child];
            rights[i] = rights[child];
            sizes[i] = sizes[child];
            i = child;
        }
        keys[i] = key;
        rights[i] = right;
        sizes[i] = size;
    }

    int left() {
        return (int) topKey;
    }

    int right() {
        return topRight;
    }

    int size() {
        return topSize;
    }

    /** A priority that orders higher scores first: smaller for larger {@code score}. */
    static int descendingScore(float score) {
        int bits = Float.floatToIntBits(score);
        int sortable = bits ^ ((bits >> 31) & 0x7FFFFFFF);
        return ~sortable;
    }
}
