package dev.hearth.engine;

import dev.hearth.kv.BlockAllocator;
import dev.hearth.kv.BlockTable;
import dev.hearth.kv.PrefixHash;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;

/**
 * Decides each step's rows, without phases: every running sequence has computed tokens and a target. Sequences
 * that need one token (decoding) go first, then chunks of prompts, under the token budget. Pure bookkeeping over a
 * {@link BlockAllocator}, testable without a model.
 *
 * <p>Order: strict priority classes first ({@link Priority}; a waiting sequence moves up one class every
 * {@code agingSteps} steps it waits, so low priority still progresses), then weighted fair share between agents
 * ({@link FairShare}): the waiting sequence admitted next is the best class, preempted ones first, then the agent
 * with the fewest running sequences per unit of weight, then the least-served agent, then arrival order. Within a
 * step, running sequences are stepped best class first, then least-served agent first, then in admission order, so
 * under a token budget a chatty agent cannot starve the others. With one agent and one class this is first come,
 * first served.
 *
 * <p>KV blocks: a waiting sequence is admitted when a slot is free and the pool has blocks for all its tokens minus
 * its longest cached prefix; those blocks are taken at admission (the best waiting sequence blocks the ones behind
 * it, so a large request is not starved). A decoding sequence takes one block each time it crosses a block
 * boundary; when none is left, the running sequence of the worst class, most recently admitted, that has no row in
 * this step yet is preempted: its blocks go back, it returns to the queue and is recomputed later (greedy results
 * do not change). A waiting sequence that does not fit also preempts running sequences of a strictly worse class.
 * After each forward pass, {@link #commit()} names the blocks that became full by their prefix hash, so later
 * requests (also after this one finishes) reuse them until they are evicted, least recently used first.
 */
final class Scheduler {
    private final int maxRunning;
    private final int tokenBudget;
    private final BlockAllocator blocks;
    private final int blockSize;
    static final int DEFAULT_AGING_STEPS = 256;
    private final int agingSteps;
    private final List<Sequence> waiting = new ArrayList<>();
    private final List<Sequence> running = new ArrayList<>();
    /** This step's running sequences in stepping order, while planning it. */
    private final List<Sequence> order = new ArrayList<>();
    private final FairShare fairShare = new FairShare();
    private final Comparator<Sequence> waitingOrder = Comparator.<Sequence>comparingInt(this::waitingClass)
            .thenComparing(s -> !s.requeued)
            .thenComparingDouble(s -> s.share.runningShare())
            .thenComparingDouble(s -> s.share.virtualService)
            .thenComparingLong(s -> s.arrival);
    private final Comparator<Sequence> runningOrder = Comparator.<Sequence>comparingInt(s -> s.priorityClass)
            .thenComparingDouble(s -> s.share.virtualService)
            .thenComparingLong(s -> s.admittedOrder);
    private long step;
    private long arrivals;
    private long admissions;
    private final Deque<Integer> freeSlots = new ArrayDeque<>();
    /** The sequences of the last plan, one entry per logits row, in row order. */
    private final List<Sequence> logitOwners = new ArrayList<>();
    // written by the engine thread only; volatile so that metrics may read them from any thread
    private volatile long preemptions;
    private volatile long cachedTokens;

    Scheduler(int maxRunning, int tokenBudget, BlockAllocator blocks) {
        this(maxRunning, tokenBudget, blocks, DEFAULT_AGING_STEPS);
    }

    /** @param agingSteps steps a waiting sequence waits to move up one priority class */
    Scheduler(int maxRunning, int tokenBudget, BlockAllocator blocks, int agingSteps) {
        if (agingSteps < 1) {
            throw new IllegalArgumentException("agingSteps must be at least 1, got " + agingSteps);
        }
        this.agingSteps = agingSteps;
        this.maxRunning = maxRunning;
        this.tokenBudget = tokenBudget;
        this.blocks = blocks;
        this.blockSize = blocks.blockSize();
        for (int i = 0; i < maxRunning; i++) {
            freeSlots.add(i);
        }
    }

    void enqueue(Sequence s) {
        s.share = fairShare.join(s.scheduling);
        s.arrival = arrivals++;
        s.waitingSince = step;
        waiting.add(s);
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

    List<Sequence> waiting() {
        return waiting;
    }

    FairShare fairShare() {
        return fairShare;
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
        int slot = -1;
        if (running.remove(s)) {
            freeSlots.addFirst(s.slot);
            s.share.running--;
            slot = s.slot;
        } else if (!waiting.remove(s)) {
            return -1;
        }
        fairShare.leave(s.share);
        return slot;
    }

    /** Fills {@code batch} for the next step and returns the sequences owning its logits rows, in row order. */
    List<Sequence> plan(StepBatch batch) {
        step++;
        batch.clear();
        logitOwners.clear();
        int budget = Math.min(tokenBudget, batch.capacity());
        preemptForBetterClass();
        order.clear();
        order.addAll(running);
        order.sort(runningOrder);
        long preemptedBefore = preemptions;
        for (int i = 0; i < order.size() && budget > 0; i++) {
            Sequence s = order.get(i);
            if (s.slot >= 0 && s.pending() == 1) {
                if (!growTo(s, s.computed + 1)) {
                    continue;  // s itself was preempted: it was the worst sequence without a row
                }
                addRows(batch, s, 1);
                budget--;
            }
        }
        int firstAdmitted = order.size();
        if (preemptions == preemptedBefore) {
            admit();
        }
        for (int i = 0; i < order.size() && budget > 0; i++) {
            Sequence s = order.get(i);
            // prompt chunks; a sequence admitted just now may have a single token left (the rest was cached)
            if (s.slot >= 0 && (s.pending() > 1 || (i >= firstAdmitted && s.pending() == 1))) {
                int rows = Math.min(s.pending(), budget);
                addRows(batch, s, rows);
                budget -= rows;
            }
        }
        order.clear();  // held past the plan, a finished sequence (its sampler, its grammar) stays reachable
        return logitOwners;
    }

    /**
     * The step of the last plan is over: forgets its logits rows' owners, so that a sequence finished in it is garbage
     * now and not when the next step comes (an idle engine would keep its sampler buffers and grammar indefinitely).
     */
    void stepDone() {
        logitOwners.clear();
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

    /** Admits the best waiting sequences while a slot and blocks for their uncached tokens are free. */
    private void admit() {
        while (!waiting.isEmpty() && running.size() < maxRunning) {
            Sequence s = bestWaiting();
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
            waiting.remove(s);
            s.priorityClass = waitingClass(s);
            s.requeued = false;
            s.computed = matched * blockSize;
            s.cachedTokens = s.computed;
            cachedTokens += s.computed;
            s.slot = freeSlots.pollFirst();
            s.admittedOrder = admissions++;
            s.share.running++;
            running.add(s);
            order.add(s);
        }
    }

    private Sequence bestWaiting() {
        Sequence best = waiting.getFirst();
        for (int i = 1; i < waiting.size(); i++) {
            Sequence s = waiting.get(i);
            if (waitingOrder.compare(s, best) < 0) {
                best = s;
            }
        }
        return best;
    }

    /** The class of a waiting sequence now: its class when it started waiting, one better per agingSteps waited. */
    private int waitingClass(Sequence s) {
        return (int) Math.max(0, s.priorityClass - (step - s.waitingSince) / agingSteps);
    }

    /**
     * While the best waiting sequence finds no free slot or not enough free blocks, preempts the worst running
     * sequence if its class is strictly worse (a conservative test: the cached prefix is not counted).
     */
    private void preemptForBetterClass() {
        if (waiting.isEmpty() || running.isEmpty()) {
            return;
        }
        Sequence best = bestWaiting();
        int bestClass = waitingClass(best);
        while (!running.isEmpty()
                && (running.size() >= maxRunning || blocks.blocksFor(best.length) > blocks.available())) {
            Sequence victim = worstUnplanned();
            if (victim == null || victim.priorityClass <= bestClass) {
                return;
            }
            preempt(victim);
        }
    }

    /** The running sequence to preempt first: worst class, then most recently admitted, among those without a row. */
    private Sequence worstUnplanned() {
        Sequence worst = null;
        for (Sequence s : running) {
            if (s.plannedStep != step && (worst == null || s.priorityClass > worst.priorityClass
                    || (s.priorityClass == worst.priorityClass && s.admittedOrder > worst.admittedOrder))) {
                worst = s;
            }
        }
        return worst;
    }

    /** Takes blocks until s has room for {@code positions}; preempts the newest sequences while none is left. */
    private boolean growTo(Sequence s, int positions) {
        int need = blocks.blocksFor(positions) - s.blocks.size();
        while (need > blocks.available()) {
            Sequence victim = worstUnplanned();
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
        s.share.running--;
        s.requeued = true;
        s.waitingSince = step;
        preemptions++;
        waiting.add(s);
    }

    private void addRows(StepBatch batch, Sequence s, int rows) {
        s.plannedStep = step;
        for (int i = 0; i < rows; i++) {
            int position = s.computed + i;
            boolean last = position == s.length - 1;
            batch.add(s.ids[position], position, s.slot, last, s.blocks);
            if (last) {
                logitOwners.add(s);
                s.share.charge(1);
            }
        }
        s.computed += rows;
    }
}
