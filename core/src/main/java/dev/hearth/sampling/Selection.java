package dev.hearth.sampling;

import dev.hearth.kernel.VectorOps;

/**
 * Partial selection and sorting over parallel (id, value, payload) arrays (the payload moves with its entry), in the total order "value descending, then id
 * ascending". Quickselect (expected O(n)) puts the k best entries first without sorting the rest; the sort is only
 * applied to those k. No allocation.
 */
final class Selection {
    private Selection() {}

    /** True when entry a comes before entry b. */
    static boolean before(float va, int ia, float vb, int ib) {
        return va > vb || (va == vb && ia < ib);
    }

    /** Rearranges [from, to) so that its best {@code k} entries occupy [from, from + k), in no particular order. */
    static void selectTop(int[] ids, float[] values, float[] payload, int from, int to, int k) {
        int lo = from;
        int hi = to - 1;
        int target = from + k - 1;
        if (k <= 0 || k >= to - from) {
            return;
        }
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            // median of three as pivot, moved to hi
            if (before(values[mid], ids[mid], values[lo], ids[lo])) swap(ids, values, payload, mid, lo);
            if (before(values[hi], ids[hi], values[lo], ids[lo])) swap(ids, values, payload, hi, lo);
            if (before(values[mid], ids[mid], values[hi], ids[hi])) swap(ids, values, payload, mid, hi);
            float pv = values[hi];
            int pi = ids[hi];
            int store = lo;
            for (int i = lo; i < hi; i++) {
                if (before(values[i], ids[i], pv, pi)) {
                    swap(ids, values, payload, i, store++);
                }
            }
            swap(ids, values, payload, store, hi);
            if (store == target) {
                return;
            } else if (store < target) {
                lo = store + 1;
            } else {
                hi = store - 1;
            }
        }
    }

    /** Sorts [from, to) best first. Insertion sort for short ranges, otherwise quicksort on the same order. */
    static void sort(int[] ids, float[] values, float[] payload, int from, int to) {
        while (to - from > 24) {
            int mid = (from + to - 1) >>> 1;
            int last = to - 1;
            if (before(values[mid], ids[mid], values[from], ids[from])) swap(ids, values, payload, mid, from);
            if (before(values[last], ids[last], values[from], ids[from])) swap(ids, values, payload, last, from);
            if (before(values[mid], ids[mid], values[last], ids[last])) swap(ids, values, payload, mid, last);
            float pv = values[last];
            int pi = ids[last];
            int store = from;
            for (int i = from; i < last; i++) {
                if (before(values[i], ids[i], pv, pi)) {
                    swap(ids, values, payload, i, store++);
                }
            }
            swap(ids, values, payload, store, last);
            // recurse into the smaller half, loop on the larger
            if (store - from < to - store - 1) {
                sort(ids, values, payload, from, store);
                from = store + 1;
            } else {
                sort(ids, values, payload, store + 1, to);
                to = store;
            }
        }
        for (int i = from + 1; i < to; i++) {
            float v = values[i];
            float p = payload[i];
            int id = ids[i];
            int j = i - 1;
            while (j >= from && before(v, id, values[j], ids[j])) {
                values[j + 1] = values[j];
                payload[j + 1] = payload[j];
                ids[j + 1] = ids[j];
                j--;
            }
            values[j + 1] = v;
            payload[j + 1] = p;
            ids[j + 1] = id;
        }
    }

    /**
     * The best {@code k} of {@code values[0, n)} (entry i being token i) into heapIds/heapValues, in no particular
     * order, by one pass with a min-heap whose root is the worst entry kept.
     */
    static void heapTop(float[] values, int n, int k, int[] heapIds, float[] heapValues) {
        int filled = Math.min(k, n);
        for (int i = 0; i < filled; i++) {
            float v = values[i];
            int j = i;
            while (j > 0) { // sift up: parent must be worse-or-equal than child
                int parent = (j - 1) >>> 1;
                if (!before(heapValues[parent], heapIds[parent], v, i)) break;
                heapValues[j] = heapValues[parent];
                heapIds[j] = heapIds[parent];
                j = parent;
            }
            heapValues[j] = v;
            heapIds[j] = i;
        }
        // then only values above the root enter (ties lose: the root has the lower id), and almost none are: the
        // vector scan skips whole runs of them
        for (int i = VectorOps.firstAbove(values, filled, n, heapValues[0]); i < n;
                i = VectorOps.firstAbove(values, i + 1, n, heapValues[0])) {
            float v = values[i];
            int j = 0;
            while (true) { // sift down from the root
                int child = 2 * j + 1;
                if (child >= k) break;
                if (child + 1 < k && before(heapValues[child], heapIds[child], heapValues[child + 1], heapIds[child + 1])) {
                    child++;
                }
                if (!before(v, i, heapValues[child], heapIds[child])) break;
                heapValues[j] = heapValues[child];
                heapIds[j] = heapIds[child];
                j = child;
            }
            heapValues[j] = v;
            heapIds[j] = i;
        }
    }

    /** Index of the best entry in [from, to). */
    static int argBest(int[] ids, float[] values, int from, int to) {
        int best = from;
        for (int i = from + 1; i < to; i++) {
            if (before(values[i], ids[i], values[best], ids[best])) {
                best = i;
            }
        }
        return best;
    }

    static void swap(int[] ids, float[] values, float[] payload, int a, int b) {
        float tp = payload[a];
        payload[a] = payload[b];
        payload[b] = tp;
        int ti = ids[a];
        ids[a] = ids[b];
        ids[b] = ti;
        float tv = values[a];
        values[a] = values[b];
        values[b] = tv;
    }
}
