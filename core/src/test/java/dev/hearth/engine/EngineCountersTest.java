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

            runner.stepDelayMillis = 20; // 200 tokens take 4 s: the sequence is still running when looked at
            GenerationHandle running = engine.submit(GenerationRequest.greedyIds(EngineTest.prompt(4, 20), 200,
                    Set.of()));
            running.take();
            EngineCounters busy = await(engine, c -> c.running() == 1);
            assertThat(busy.kvBlocksUsed()).isPositive();
            running.cancel();
            await(engine, c -> c.running() == 0 && c.kvBlocksUsed() == 0);
        }
    }
}
