package dev.hearth.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.sampling.TokenSampler;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class EngineTest {
    static int[] prompt(int seed, int length) {
        return IntStream.range(0, length).map(i -> (seed * 7919 + i * 104729) % 500).toArray();
    }

    static List<Integer> tokens(GenerationHandle h) throws InterruptedException {
        List<Integer> ids = new ArrayList<>();
        while (true) {
            GenerationEvent e = h.poll(10, TimeUnit.SECONDS);
            assertThat(e).as("event before timeout").isNotNull();
            if (e instanceof GenerationEvent.Token t && t.tokenId() >= 0) {
                ids.add(t.tokenId());
            } else if (e instanceof GenerationEvent.Done d) {
                assertThat(d.generatedTokens()).isEqualTo(ids.size());
                return ids;
            }
        }
    }

    @Test
    void batchingDoesNotChangeResults() throws Exception {
        List<List<Integer>> alone = new ArrayList<>();
        try (Engine engine = new Engine(new FakeRunner(500, 16, 256, 64), EngineOptions.defaults("fake"))) {
            for (int i = 0; i < 16; i++) {
                alone.add(tokens(engine.submit(GenerationRequest.greedyIds(prompt(i, 5 + i * 7), 20, Set.of()))));
            }
        }
        // the steps wait until all 16 are queued, so a slow start cannot leave them in separate steps
        FakeRunner runner = new FakeRunner(500, 16, 256, 64).holdSteps();
        try (Engine engine = new Engine(runner, EngineOptions.defaults("fake"))) {
            List<GenerationHandle> handles = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                handles.add(engine.submit(GenerationRequest.greedyIds(prompt(i, 5 + i * 7), 20, Set.of())));
            }
            runner.releaseSteps();
            for (int i = 0; i < 16; i++) {
                assertThat(tokens(handles.get(i))).as("sequence " + i).isEqualTo(alone.get(i));
            }
        }
        // the steps really were batched: some step carried rows of many sequences
        assertThat(runner.stepSizes.stream().mapToInt(Integer::intValue).max().orElse(0)).isGreaterThan(8);
    }

    @Test
    void longPromptIsChunkedAndDoesNotStallRunningSequences() throws Exception {
        FakeRunner runner = new FakeRunner(500, 4, 1024, 32);
        try (Engine engine = new Engine(runner, EngineOptions.defaults("fake"))) {
            GenerationHandle shortOne = engine.submit(GenerationRequest.greedyIds(prompt(1, 4), 200, Set.of()));
            GenerationEvent first = shortOne.take();
            assertThat(first).isInstanceOf(GenerationEvent.Token.class);
            GenerationHandle longOne = engine.submit(GenerationRequest.greedyIds(prompt(2, 600), 1, Set.of()));
            assertThat(tokens(longOne)).hasSize(1);
            GenerationEvent next;
            int rest = 0;
            while ((next = shortOne.take()) instanceof GenerationEvent.Token) {
                rest++;
            }
            assertThat(rest + 1).isEqualTo(((GenerationEvent.Done) next).generatedTokens()).isEqualTo(200);
        }
        assertThat(runner.stepSizes).allMatch(s -> s <= 32);
    }

    @Test
    void stopTokenEndsWithStop() throws Exception {
        FakeRunner probe = new FakeRunner(500, 1, 64, 64);
        int first;
        try (Engine engine = new Engine(probe, EngineOptions.defaults("fake"))) {
            first = tokens(engine.submit(GenerationRequest.greedyIds(prompt(3, 6), 1, Set.of()))).getFirst();
        }
        try (Engine engine = new Engine(new FakeRunner(500, 1, 64, 64), EngineOptions.defaults("fake"))) {
            GenerationHandle h = engine.submit(GenerationRequest.greedyIds(prompt(3, 6), 10, Set.of(first)));
            GenerationEvent.Done done = h.awaitDone();
            assertThat(done.reason()).isEqualTo(FinishReason.STOP);
            assertThat(done.generatedTokens()).isEqualTo(1);
        }
    }

    @Test
    void contextEndFinishesWithLengthAndLongPromptIsRefused() throws Exception {
        try (Engine engine = new Engine(new FakeRunner(500, 2, 32, 16), EngineOptions.defaults("fake"))) {
            GenerationEvent.Done done = engine.submit(GenerationRequest.greedyIds(prompt(4, 30), 100, Set.of())).awaitDone();
            assertThat(done.reason()).isEqualTo(FinishReason.LENGTH);
            assertThat(done.promptTokens() + done.generatedTokens()).isEqualTo(32);
            assertThatThrownBy(() -> engine.submit(GenerationRequest.greedyIds(prompt(5, 32), 1, Set.of())))
                    .isInstanceOf(ContextLengthExceededException.class)
                    .hasMessageContaining("32 tokens").hasMessageContaining("context length is 32");
        }
    }

    @Test
    void cancelFreesTheSlot() throws Exception {
        FakeRunner runner = new FakeRunner(500, 1, 4096, 16);
        try (Engine engine = new Engine(runner, EngineOptions.defaults("fake"))) {
            GenerationHandle h = engine.submit(GenerationRequest.greedyIds(prompt(6, 4), 4000, Set.of()));
            h.take();
            h.cancel();
            assertThat(h.awaitDone().reason()).isEqualTo(FinishReason.CANCELLED);
            // the one slot is free again: another request completes
            GenerationEvent.Done next = engine.submit(GenerationRequest.greedyIds(prompt(7, 4), 3, Set.of())).awaitDone();
            assertThat(next.reason()).isEqualTo(FinishReason.LENGTH);
            assertThat(runner.released).isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void fullWaitQueueIsRefused() throws Exception {
        try (Engine engine = new Engine(new FakeRunner(500, 1, 4096, 16), new EngineOptions("fake", 2))) {
            List<GenerationHandle> hs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                hs.add(engine.submit(GenerationRequest.greedyIds(prompt(i, 4), 4000, Set.of())));
            }
            assertThatThrownBy(() -> engine.submit(GenerationRequest.greedyIds(prompt(9, 4), 1, Set.of())))
                    .isInstanceOf(EngineOverloadedException.class);
            hs.forEach(GenerationHandle::cancel);
        }
    }

    @Test
    void stopStringSpanningTokensIsNeverEmitted() throws Exception {
        // decoder maps each token to one letter; stop on a two-letter string appearing in the greedy output
        TextDecoder letters = id -> String.valueOf((char) ('a' + id % 26));
        List<Integer> ids;
        try (Engine engine = new Engine(new FakeRunner(500, 1, 256, 16), EngineOptions.defaults("fake"))) {
            ids = tokens(engine.submit(GenerationRequest.greedyIds(prompt(8, 5), 12, Set.of())));
        }
        StringBuilder all = new StringBuilder();
        ids.forEach(id -> all.append((char) ('a' + id % 26)));
        String stop = all.substring(5, 7);
        int cut = all.indexOf(stop);
        try (Engine engine = new Engine(new FakeRunner(500, 1, 256, 16), EngineOptions.defaults("fake"))) {
            GenerationHandle h = engine.submit(new GenerationRequest(prompt(8, 5), 12, Set.of(), List.of(stop),
                    TokenSampler::greedy, () -> letters));
            StringBuilder streamed = new StringBuilder();
            GenerationEvent e;
            while (!((e = h.take()) instanceof GenerationEvent.Done)) {
                streamed.append(((GenerationEvent.Token) e).text());
            }
            GenerationEvent.Done done = (GenerationEvent.Done) e;
            assertThat(done.reason()).isEqualTo(FinishReason.STOP);
            assertThat(streamed.toString()).isEqualTo(all.substring(0, cut)).isEqualTo(done.text());
        }
    }

    @Test
    void aFailingSamplerEndsOnlyItsSequence() throws Exception {
        try (Engine engine = new Engine(new FakeRunner(500, 4, 256, 64), EngineOptions.defaults("fake"))) {
            TokenSampler broken = (logits, offset, n, history, len) -> {
                throw new IllegalStateException("no token allowed");
            };
            GenerationHandle bad = engine.submit(new GenerationRequest(prompt(1, 5), 5, Set.of(), List.of(),
                    () -> broken, () -> id -> ""));
            GenerationHandle unbuildable = engine.submit(new GenerationRequest(prompt(2, 5), 5, Set.of(), List.of(),
                    () -> {
                        throw new IllegalArgumentException("bad grammar");
                    }, () -> id -> ""));
            GenerationEvent.Done failed = bad.awaitDone();
            assertThat(failed.reason()).isEqualTo(FinishReason.ERROR);
            assertThat(failed.error()).contains("no token allowed");
            assertThat(unbuildable.awaitDone().error()).contains("bad grammar");
            // the engine still serves
            assertThat(engine.submit(GenerationRequest.greedyIds(prompt(3, 5), 3, Set.of())).awaitDone().reason())
                    .isEqualTo(FinishReason.LENGTH);
        }
    }

    @Test
    void aFinishedSequenceIsNotHeldByAnIdleEngine() throws Exception {
        // a sampler holds its buffers and grammar (megabytes under an enum schema): once its sequence is done, an
        // engine with nothing more to do must not keep it, or that memory never comes back after the load stops
        List<WeakReference<TokenSampler>> made = new ArrayList<>();
        try (Engine engine = new Engine(new FakeRunner(500, 4, 256, 64), EngineOptions.defaults("fake"))) {
            GenerationHandle h = engine.submit(new GenerationRequest(prompt(1, 5), 5, Set.of(), List.of(), () -> {
                TokenSampler sampler = TokenSampler.greedy();
                TokenSampler own = (logits, offset, n, history, len) -> sampler.sample(logits, offset, n, history, len);
                made.add(new WeakReference<>(own));
                return own;
            }, () -> id -> ""));
            assertThat(h.awaitDone().reason()).isEqualTo(FinishReason.LENGTH);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (made.getFirst().get() != null && System.nanoTime() < deadline) {
                System.gc();
                Thread.sleep(20);
            }
            assertThat(made.getFirst().get()).as("the finished sequence's sampler, collected").isNull();
        }
    }
}
