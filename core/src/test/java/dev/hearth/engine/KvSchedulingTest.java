package dev.hearth.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Admission by KV blocks, preemption when blocks run short, and the prefix cache, over the paged {@link FakeRunner}
 * (whose outputs depend on every cached position, so a wrong, stale or shared-by-mistake block changes them).
 */
class KvSchedulingTest {
    private static List<List<Integer>> runAll(FakeRunner runner, List<int[]> prompts, int maxTokens) throws Exception {
        try (Engine engine = new Engine(runner, EngineOptions.defaults("fake"))) {
            List<GenerationHandle> handles = new ArrayList<>();
            for (int[] p : prompts) {
                handles.add(engine.submit(GenerationRequest.greedyIds(p, maxTokens, Set.of())));
            }
            runner.releaseSteps();
            List<List<Integer>> out = new ArrayList<>();
            for (GenerationHandle h : handles) {
                out.add(EngineTest.tokens(h));
            }
            lastPreemptions = engine.preemptions();
            return out;
        }
    }

    private static long lastPreemptions;

    private static void assertAllBlocksBack(FakeRunner runner) {
        assertThat(runner.blocks.available()).as("blocks available after every sequence ended")
                .isEqualTo(runner.blocks.totalBlocks());
        for (int b = 0; b < runner.blocks.totalBlocks(); b++) {
            assertThat(runner.blocks.refCount(b)).as("block " + b).isZero();
        }
    }

    @Test
    void tightBlockBudgetPreemptsAndChangesNoResult() throws Exception {
        List<int[]> prompts = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            prompts.add(EngineTest.prompt(i + 20, 5 + i * 9));
        }
        List<List<Integer>> free = runAll(new FakeRunner(500, 8, 256, 64), prompts, 60);
        assertThat(lastPreemptions).isZero();
        // 16 blocks of 16 = one full context; the 8 sequences need up to 8 blocks each. The steps wait until all 8
        // are queued: on a slow start the first ones could otherwise finish before the last arrive, and none preempt.
        FakeRunner tight = new FakeRunner(500, 8, 256, 64, 16).holdSteps();
        List<List<Integer>> constrained = runAll(tight, prompts, 60);
        assertThat(lastPreemptions).as("preemptions").isGreaterThan(0);
        assertThat(constrained).isEqualTo(free);
        assertAllBlocksBack(tight);
    }

    @Test
    void sharedPrefixIsComputedOnceAndGivesTheSameOutput() throws Exception {
        int[] prefix = EngineTest.prompt(3, 1024);
        int[] first = IntStream.concat(IntStream.of(prefix), IntStream.of(11, 12, 13)).toArray();
        int[] second = IntStream.concat(IntStream.of(prefix), IntStream.of(21, 22, 23, 24, 25)).toArray();
        List<Integer> cold = runAll(new FakeRunner(500, 2, 2048, 256), List.of(second), 8).getFirst();
        FakeRunner runner = new FakeRunner(500, 2, 2048, 256);
        try (Engine engine = new Engine(runner, EngineOptions.defaults("fake"))) {
            EngineTest.tokens(engine.submit(GenerationRequest.greedyIds(first, 8, Set.of())));
            long before = runner.rows;
            List<Integer> warm = EngineTest.tokens(engine.submit(GenerationRequest.greedyIds(second, 8, Set.of())));
            assertThat(warm).isEqualTo(cold);
            // 1024 prefix positions came from the cache: only the 5-token suffix and 7 decode steps were computed
            assertThat(runner.rows - before).isEqualTo(5 + 7);
            assertThat(engine.cachedPromptTokens()).isEqualTo(1024);
            // the same prompt again: every full block is cached but the last token is still computed
            long again = runner.rows;
            int[] exact = java.util.Arrays.copyOf(prefix, 1024);
            EngineTest.tokens(engine.submit(GenerationRequest.greedyIds(exact, 1, Set.of())));
            assertThat(runner.rows - again).isEqualTo(16);  // the last block (16 positions) is recomputed
        }
        assertAllBlocksBack(runner);
        assertThat(runner.blocks.cachedUnused()).isGreaterThanOrEqualTo(64);
    }

    @Test
    void cachedBlocksAreEvictedUnderPressureLeastRecentlyUsedFirst() throws Exception {
        int[] a = EngineTest.prompt(5, 160);   // 10 blocks
        int[] b = EngineTest.prompt(6, 160);
        // a pool of 16 blocks (one context of 256): after a, b needs 11 blocks, so 5 of a's 10 cached blocks go
        FakeRunner runner = new FakeRunner(500, 1, 256, 64, 16);
        try (Engine engine = new Engine(runner, EngineOptions.defaults("fake"))) {
            EngineTest.tokens(engine.submit(GenerationRequest.greedyIds(a, 4, Set.of())));
            EngineTest.tokens(engine.submit(GenerationRequest.greedyIds(b, 4, Set.of())));
            assertThat(runner.blocks.evictions()).isGreaterThan(0);
            // a's last blocks were released first, so they were evicted first: a's leading blocks survive
            long before = runner.rows;
            long cachedBefore = engine.cachedPromptTokens();
            List<Integer> again = EngineTest.tokens(engine.submit(GenerationRequest.greedyIds(a, 4, Set.of())));
            long reused = engine.cachedPromptTokens() - cachedBefore;
            assertThat(reused).isGreaterThan(0).isLessThan(160);
            assertThat(runner.rows - before).isEqualTo(160 - reused + 3);
            assertThat(again).isEqualTo(runAll(new FakeRunner(500, 1, 256, 64), List.<int[]>of(a), 4).getFirst());
        }
        assertAllBlocksBack(runner);
    }

    @Test
    void cancelledSequenceReleasesItsBlocks() throws Exception {
        FakeRunner runner = new FakeRunner(500, 2, 4096, 16);
        try (Engine engine = new Engine(runner, EngineOptions.defaults("fake"))) {
            GenerationHandle h = engine.submit(GenerationRequest.greedyIds(EngineTest.prompt(6, 40), 4000, Set.of()));
            h.take();
            h.take();
            assertThat(runner.blocks.available()).isLessThan(runner.blocks.totalBlocks());
            h.cancel();
            assertThat(h.awaitDone().reason()).isEqualTo(FinishReason.CANCELLED);
            // a short request afterwards proves the engine thread is past the cancel
            engine.submit(GenerationRequest.greedyIds(EngineTest.prompt(7, 4), 2, Set.of())).awaitDone();
        }
        assertAllBlocksBack(runner);
    }
}
