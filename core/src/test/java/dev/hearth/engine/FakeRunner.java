package dev.hearth.engine;

import dev.hearth.kv.BlockAllocator;
import dev.hearth.kv.BlockTable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A model stand-in with a real paged "KV cache": the logits of a row depend on every token of its sequence up to
 * that row (a rolling hash stored per position in the row's KV blocks), so a scheduling bug that mixes sequences,
 * skips or repeats a token, misplaces a position, or reuses the wrong or a stale block changes the output.
 */
class FakeRunner implements ModelRunner {
    static final int BLOCK_SIZE = 16;
    final int vocab;
    final int slots;
    final int context;
    final int budget;
    final BlockAllocator blocks;
    final long[] kv;
    final List<Integer> stepSizes = new ArrayList<>();
    volatile long rows;
    volatile int released;
    /** Held closed by {@link #holdSteps}: the engine's steps wait until every request is queued. */
    private volatile CountDownLatch gate = new CountDownLatch(0);

    /** A pool with room for every slot's full context. */
    FakeRunner(int vocab, int slots, int context, int budget) {
        this(vocab, slots, context, budget, slots * ((context + BLOCK_SIZE - 1) / BLOCK_SIZE));
    }

    FakeRunner(int vocab, int slots, int context, int budget, int kvBlocks) {
        this.vocab = vocab;
        this.slots = slots;
        this.context = context;
        this.budget = budget;
        this.blocks = new BlockAllocator(kvBlocks, BLOCK_SIZE);
        this.kv = new long[kvBlocks * BLOCK_SIZE];
    }

    @Override
    public int vocabularySize() {
        return vocab;
    }

    @Override
    public int maxSequences() {
        return slots;
    }

    @Override
    public int contextLength() {
        return context;
    }

    @Override
    public int maxBatchTokens() {
        return budget;
    }

    @Override
    public BlockAllocator kvBlocks() {
        return blocks;
    }

    /** Makes the next step wait for {@link #releaseSteps}, so a test's requests all meet in the queue. */
    FakeRunner holdSteps() {
        gate = new CountDownLatch(1);
        return this;
    }

    void releaseSteps() {
        gate.countDown();
    }

    @Override
    public void forward(StepBatch plan, float[] logits) {
        try {
            gate.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while held", e);
        }
        stepSizes.add(plan.size());
        rows += plan.size();
        int out = 0;
        for (int row = 0; row < plan.size(); row++) {
            BlockTable table = plan.table(row);
            int pos = plan.position(row);
            if (pos >= table.size() * BLOCK_SIZE) {
                throw new IllegalStateException("slot " + plan.slot(row) + " has no block for position " + pos);
            }
            for (int b = 0; b <= pos / BLOCK_SIZE; b++) {
                if (blocks.refCount(table.block(b)) < 1) {
                    throw new IllegalStateException("position " + pos + " reads block " + table.block(b)
                            + " that nobody holds");
                }
            }
            long previous = pos == 0 ? 17 : kv[cell(table, pos - 1)];
            long h = previous * 1_000_003L + plan.token(row) * 31L + pos;
            kv[cell(table, pos)] = h;
            if (plan.needsLogits(row)) {
                for (int v = 0; v < vocab; v++) {
                    long x = (h ^ (v * 0x9E3779B97F4A7C15L)) * 0xBF58476D1CE4E5B9L;
                    logits[out * vocab + v] = (float) ((x >>> 40) & 0xFFFF) / 1000f;
                }
                out++;
            }
        }
    }

    private static int cell(BlockTable table, int pos) {
        return table.block(pos / BLOCK_SIZE) * BLOCK_SIZE + pos % BLOCK_SIZE;
    }

    @Override
    public void releaseSlot(int slot) {
        released++;
    }
}
