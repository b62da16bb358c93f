package dev.hearth.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** The engine's counters for the dashboard: prompt positions computed, tokens sampled, prefix hits, KV blocks. */
class EngineCountersTest {

    static EngineCounters await(Engine engine, Predicate<EngineCounters> condition) throws InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        EngineCounters c;
        while (!condition.test(c = engine.counters())) {
            assertThat(System.nanoTime()).as("counters never reached the state; last " + c).isLessThan(end);
            Thread.sleep(5);
        }
        return c;
    }

    @Test
    void countComputedAndCachedPromptTokensGeneratedTokensAndBlocks() throws Exception {
        FakeRunner runner = new FakeRunner(500, 4, 256, 64);
        try (Engine engine = new Engine(runner, EngineOptions.defaults("fake"))) {
            EngineCounters idle = engine.counters();
            assertThat(idle.kvBlocksTotal()).isEqualTo(runner.blocks.totalBlocks());
            assertThat(idle.kvBlocksFree()).isEqualTo(idle.kvBlocksTotal());
            assertThat(idle.generatedTokens()).isZero();

            int[] prompt = EngineTest.prompt(3, 40);
            assertThat(EngineTest.tokens(engine.submit(GenerationRequest.greedyIds(prompt, 10, Set.of())))).hasSize(10);
            EngineCounters first = await(engine, c -> c.kvBlocksUsed() == 0);
            assertThat(first.promptTokens()).isEqualTo(40);
            assertThat(first.generatedTokens()).isEqualTo(10);
            assertThat(first.cachedPromptTokens()).isZero();
            assertThat(first.kvBlocksCached()).as("the finished sequence's full blocks stay for reuse").isPositive();
            assertThat(first.kvBlocksFree() + first.kvBlocksCached()).isEqualTo(first.kvBlocksTotal());

            // the same prompt again: its two full blocks come from the prefix cache, the rest is computed
            assertThat(EngineTest.tokens(engine.submit(GenerationRequest.greedyIds(prompt, 5, Set.of())))).hasSize(5);
            EngineCounters second = await(engine, c -> c.generatedTokens() == 15 && c.kvBlocksUsed() == 0);
            assertThat(second.cachedPromptTokens()).isEqualTo(32);
            assertThat(second.promptTokens()).isEqualTo(40 + 8);

        }
    }

    @Test
    void showTheBlocksOfARunningSequence() throws Exception {
        GatedRunner runner = new GatedRunner(new FakeRunner(500, 4, 256, 64));
        try (Engine engine = new Engine(runner, EngineOptions.defaults("fake"))) {
            GenerationHandle handle = engine.submit(GenerationRequest.greedyIds(EngineTest.prompt(4, 40), 100,
                    Set.of()));
            runner.steps.release(3);  // the prompt's step and two more; the engine then waits in the fourth
            EngineCounters busy = await(engine, c -> c.steps() == 3);
            assertThat(busy.running()).isEqualTo(1);
            assertThat(busy.promptTokens()).isEqualTo(40);
            assertThat(busy.generatedTokens()).isEqualTo(3);
            assertThat(busy.kvBlocksUsed()).as("40 prompt and 2 generated positions, in blocks of 16").isEqualTo(3);
            handle.cancel();
            runner.steps.release(1000);
            await(engine, c -> c.running() == 0 && c.kvBlocksUsed() == 0);
        }
    }

    /** A runner whose forward passes each wait for a permit: the test decides how far the engine gets. */
    static final class GatedRunner implements ModelRunner {
        final FakeRunner inner;
        final java.util.concurrent.Semaphore steps = new java.util.concurrent.Semaphore(0);

        GatedRunner(FakeRunner inner) {
            this.inner = inner;
        }

        @Override
        public int vocabularySize() {
            return inner.vocabularySize();
        }

        @Override
        public int maxSequences() {
            return inner.maxSequences();
        }

        @Override
        public int contextLength() {
            return inner.contextLength();
        }

        @Override
        public int maxBatchTokens() {
            return inner.maxBatchTokens();
        }

        @Override
        public dev.hearth.kv.BlockAllocator kvBlocks() {
            return inner.kvBlocks();
        }

        @Override
        public void forward(StepBatch plan, float[] logits) {
            steps.acquireUninterruptibly();
            inner.forward(plan, logits);
        }

        @Override
        public void releaseSlot(int slot) {
            inner.releaseSlot(slot);
        }
    }
}
