package dev.hearth.engine;

import dev.hearth.kv.BlockAllocator;
import dev.hearth.kv.BlockTable;
import dev.hearth.kv.PrefixHash;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Decides each step's rows, without phases: every running sequence has computed tokens and a target. Sequences
 * that need one token (decoding) go first, then chunks of prompts, under the token budget. Pure bookkeeping over a
 * {@link BlockAllocator}, testable without a model.
 *
 * <p>KV blocks: a waiting sequence is admitted (first come, first served) when a slot is free and the pool has blocks
 * for all its tokens minus its longest cached prefix; those blocks are taken at admission. A decoding sequence takes
 * one block each time it crosses a block boundary; when none is left, the most recently admitted sequence is
 * preempted: its blocks go back, it returns to the head of the queue and is recomputed later (greedy results do not
 * change). After each forward pass, {@link #commit()} names the blocks that became full by their prefix hash, so
 * later requests (also after this one finishes) reuse them until they are evicted, least recently used first.
 */
final class Scheduler {
    private final int maxRunning;
    private final int tokenBudget;
    private final BlockAllocator blocks;
    private final int blockSize;
    private final Deque<Sequence> waiting = new ArrayDeque<>();
    private final List<Sequence> running = new ArrayList<>();
    private final Deque<Integer> freeSlots = new ArrayDeque<>();
    /** The sequences of the last plan, one entry per logits row, in row order. */
    private final List<Sequence> logitOwners = new ArrayList<>();
    // written by the engine thread only; volatile so that metrics may read them from any thread
    private volatile long preemptions;
    private volatile long cachedTokens;

    Scheduler(int maxRunning, int tokenBudget, BlockAllocator blocks) {
        this.maxRunning = maxRunning;
        this.tokenBudget = tokenBudget;
        this.blocks = blocks;
        this.blockSize = blocks.blockSize();
        for (int i = 0; i < maxRunning; i++) {
            freeSlots.add(i);
        }
    }

    void enqueue(Sequence s) {
        waiting.addLast(s);
    }

    int waitingCount() {
        return waiting.size();
    }

    int runningCount() {
        return running.size();
    }

    boolean idle() {
        return waiting.isEmpty() && running.isEmpty();
    }

    List<Sequence> running() {
        return running;
    }

    Deque<Sequence> waiting() {
        return waiting;
    }

    /** Sequences preempted so far (for metrics and tests). */
    long preemptions() {
        return preemptions;
    }

    /** Prompt positions taken from the prefix cache so far, over all admissions. */
    long cachedTokens() {
        return cachedTokens;
    }

    /**
     * Removes a finished or cancelled sequence, giving its blocks back (full ones stay cached) and its slot to the
     * free list; returns the slot, or -1 if it had none.
     */
    int remove(Sequence s) {
        s.blocks.releaseAll(blocks);
        if (running.remove(s)) {
            freeSlots.addFirst(s.slot);
            return s.slot;
        }
        waiting.remove(s);
        return -1;
    }

    /** Fills {@code batch} for the next step and returns the sequences owning its logits rows, in row order. */
    List<Sequence> plan(StepBatch batch) {
        batch.clear();
        logitOwners.clear();
        int budget = Math.min(tokenBudget, batch.capacity());
        long preemptedBefore = preemptions;
        for (int i = 0; i < running.size() && budget > 0; i++) {
            Sequence s = running.get(i);
            if (s.pending() == 1) {
                if (!growTo(s, s.computed + 1)) {
                    break;  // s itself was preempted: it was the last running sequence
                }
                addRows(batch, s, 1);
                budget--;
            }
        }
        int firstAdmitted = running.size();
        if (preemptions == preemptedBefore) {
            admit();
        }
        for (int i = 0; i < running.size() && budget > 0; i++) {
            Sequence s = running.get(i);
            // prompt chunks; a sequence admitted just now may have a single token left (the rest was cached)
            if (s.pending() > 1 || (i >= firstAdmitted && s.pending() == 1)) {
                int rows = Math.min(s.pending(), budget);
                addRows(batch, s, rows);
                budget -= rows;
            }
        }
        return logitOwners;
    }

    /**
     * Names the blocks that the last forward pass filled by their prefix hash (call after it succeeded, so a failed
     * pass never leaves half-written blocks findable).
     */
    void commit() {
        for (Sequence s : running) {
            BlockTable t = s.blocks;
            for (int i = t.hashed(); i < s.computed / blockSize; i++) {
                long parent = i == 0 ? PrefixHash.ROOT : t.hash(i - 1);
                long hash = PrefixHash.next(parent, s.ids, i * blockSize, blockSize);
                blocks.cache(t.block(i), hash, parent, s.ids, i * blockSize);
                t.addHash(hash);
            }
        }
    }

    /** Admits waiting sequences while a slot and blocks for their uncached tokens are free. */
    private void admit() {
        while (!waiting.isEmpty() && running.size() < maxRunning) {
            Sequence s = waiting.peekFirst();
            BlockTable t = s.blocks;
            // longest cached prefix of whole blocks, leaving at least the last token to compute (its logits are needed)
            int matched = 0;
            int unusedMatched = 0;
            long parent = PrefixHash.ROOT;
            for (int i = 0; i < (s.length - 1) / blockSize; i++) {
                long hash = PrefixHash.next(parent, s.ids, i * blockSize, blockSize);
                int block = blocks.findCached(hash, parent, s.ids, i * blockSize);
                if (block < 0) {
                    break;
                }
                unusedMatched += blocks.refCount(block) == 0 ? 1 : 0;
                t.add(block);
                t.addHash(hash);
                parent = hash;
                matched++;
            }
            int need = blocks.blocksFor(s.length) - matched;
            if (need > blocks.available() - unusedMatched) {
                t.forgetUnretained();
                return;
            }
            for (int i = 0; i < matched; i++) {
                blocks.retain(t.block(i));
            }
            for (int i = 0; i < need; i++) {
                t.add(blocks.allocate());
            }
            waiting.pollFirst();
            s.computed = matched * blockSize;
            s.cachedTokens = s.computed;
            cachedTokens += s.computed;
            s.slot = freeSlots.pollFirst();
            running.add(s);
        }
    }

    /** Takes blocks until s has room for {@code positions}; preempts the newest sequences while none is left. */
    private boolean growTo(Sequence s, int positions) {
        int need = blocks.blocksFor(positions) - s.blocks.size();
        while (need > blocks.available()) {
            Sequence victim = running.getLast();
            preempt(victim);
            if (victim == s) {
                return false;
            }
        }
        for (int i = 0; i < need; i++) {
            s.blocks.add(blocks.allocate());
        }
        return true;
    }

    private void preempt(Sequence s) {
        running.remove(s);
        s.blocks.releaseAll(blocks);
        freeSlots.addFirst(s.slot);
        s.slot = -1;
        s.computed = 0;
        s.preemptions++;
        preemptions++;
        waiting.addFirst(s);
    }

    private void addRows(StepBatch batch, Sequence s, int rows) {
        for (int i = 0; i < rows; i++) {
            int position = s.computed + i;
            boolean last = position == s.length - 1;
            batch.add(s.ids[position], position, s.slot, last, s.blocks);
            if (last) {
                logitOwners.add(s);
            }
        }
        s.computed += rows;
    }
}
