package dev.hearth.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Decides each step's rows, without phases: every running sequence has computed tokens and a target. Sequences
 * that need one token (decoding) go first, then chunks of prompts, under the token budget; waiting sequences are
 * admitted while KV slots are free. Pure bookkeeping, testable without a model.
 */
final class Scheduler {
    private final int maxRunning;
    private final int tokenBudget;
    private final Deque<Sequence> waiting = new ArrayDeque<>();
    private final List<Sequence> running = new ArrayList<>();
    private final Deque<Integer> freeSlots = new ArrayDeque<>();
    /** The sequences of the last plan, one entry per logits row, in row order. */
    private final List<Sequence> logitOwners = new ArrayList<>();

    Scheduler(int maxRunning, int tokenBudget) {
        this.maxRunning = maxRunning;
        this.tokenBudget = tokenBudget;
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

    /** Removes a finished or cancelled sequence, returning its slot to the free list (-1 if it had none). */
    int remove(Sequence s) {
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
        while (!waiting.isEmpty() && running.size() < maxRunning) {
            Sequence s = waiting.pollFirst();
            s.slot = freeSlots.pollFirst();
            running.add(s);
        }
        int budget = Math.min(tokenBudget, batch.capacity());
        for (Sequence s : running) {
            if (s.pending() == 1 && budget > 0) {
                addRows(batch, s, 1);
                budget--;
            }
        }
        for (Sequence s : running) {
            if (s.pending() > 1 && budget > 0) {
                int rows = Math.min(s.pending(), budget);
                addRows(batch, s, rows);
                budget -= rows;
            }
        }
        return logitOwners;
    }

    private void addRows(StepBatch batch, Sequence s, int rows) {
        for (int i = 0; i < rows; i++) {
            int position = s.computed + i;
            boolean last = position == s.length - 1;
            batch.add(s.ids[position], position, s.slot, last);
            if (last) {
                logitOwners.add(s);
            }
        }
        s.computed += rows;
    }
}
