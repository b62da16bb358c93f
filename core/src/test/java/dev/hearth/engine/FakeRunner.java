package dev.hearth.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * A model stand-in with a real per-slot "KV cache": the logits of a row depend on every token of its sequence up to
 * that row (a rolling hash kept per slot), so a scheduling bug that mixes sequences, skips or repeats a token, or
 * misplaces a position changes the output.
 */
final class FakeRunner implements ModelRunner {
    final int vocab;
    final int slots;
    final int context;
    final int budget;
    final long[][] kv;
    final int[] kvLength;
    final List<Integer> stepSizes = new ArrayList<>();
    volatile int released;

    FakeRunner(int vocab, int slots, int context, int budget) {
        this.vocab = vocab;
        this.slots = slots;
        this.context = context;
        this.budget = budget;
        this.kv = new long[slots][context];
        this.kvLength = new int[slots];
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
    public void forward(StepBatch plan, float[] logits) {
        stepSizes.add(plan.size());
        int out = 0;
        for (int row = 0; row < plan.size(); row++) {
            int slot = plan.slot(row);
            int pos = plan.position(row);
            if (pos != kvLength[slot]) {
                throw new IllegalStateException("slot " + slot + " expected position " + kvLength[slot] + ", got " + pos);
            }
            long previous = pos == 0 ? 17 : kv[slot][pos - 1];
            long h = previous * 1_000_003L + plan.token(row) * 31L + pos;
            kv[slot][pos] = h;
            kvLength[slot] = pos + 1;
            if (plan.needsLogits(row)) {
                for (int v = 0; v < vocab; v++) {
                    long x = (h ^ (v * 0x9E3779B97F4A7C15L)) * 0xBF58476D1CE4E5B9L;
                    logits[out * vocab + v] = (float) ((x >>> 40) & 0xFFFF) / 1000f;
                }
                out++;
            }
        }
    }

    @Override
    public void releaseSlot(int slot) {
        kvLength[slot] = 0;
        released++;
    }
}
