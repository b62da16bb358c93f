package dev.hearth.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.kv.BlockAllocator;
import dev.hearth.kv.KvPrecision;
import dev.hearth.model.Model;
import dev.hearth.model.ModelOptions;
import dev.hearth.testing.Fixtures;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The paged KV cache under the engine with a real model (mixtral-fx-F32): a request whose 1k-token prefix is cached
 * computes only its suffix and generates exactly what it generates cold; a block budget of one context forces
 * preemption and changes no output.
 */
class LocalKvEngineTest {
    /** Counts the rows each forward call computes. */
    static final class CountingRunner implements ModelRunner {
        final LocalModelRunner inner;
        long rows;

        CountingRunner(LocalModelRunner inner) {
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
        public BlockAllocator kvBlocks() {
            return inner.kvBlocks();
        }

        @Override
        public void forward(StepBatch plan, float[] logits) {
            rows += plan.size();
            inner.forward(plan, logits);
        }

        @Override
        public void releaseSlot(int slot) {
            inner.releaseSlot(slot);
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    static int[] fixturePromptIds() throws Exception {
        JsonNode ref = new ObjectMapper().readTree(Fixtures.reference("logits_mixtral-fx-F32.json").toFile());
        List<Integer> all = new ArrayList<>();
        for (JsonNode p : ref.get("prompts")) {
            p.get("prompt_ids").forEach(id -> all.add(id.asInt()));
        }
        return all.stream().mapToInt(Integer::intValue).toArray();
    }

    /** n real tokens: the fixture prompts repeated, starting with BOS. */
    static int[] tokens(int n) throws Exception {
        int[] base = fixturePromptIds();
        return IntStream.range(0, n).map(i -> base[i % base.length]).toArray();
    }

    static GenerationEvent.Done run(Engine engine, int[] prompt, int n, List<Integer> out) throws Exception {
        GenerationHandle h = engine.submit(GenerationRequest.greedyIds(prompt, n, Set.of()));
        GenerationEvent e;
        while ((e = h.take()) instanceof GenerationEvent.Token t) {
            out.add(t.tokenId());
        }
        GenerationEvent.Done done = (GenerationEvent.Done) e;
        assertThat(done.reason()).isEqualTo(FinishReason.LENGTH);
        return done;
    }

    @Test
    void cachedThousandTokenPrefixComputesOnlyTheSuffixAndGivesTheSameTokens() throws Exception {
        int[] prefix = tokens(1024);
        int[] first = IntStream.concat(IntStream.of(prefix), IntStream.of(415, 2936, 9060)).toArray();
        int[] second = IntStream.concat(IntStream.of(prefix), IntStream.of(1014, 5771, 349, 264, 1369)).toArray();
        List<Integer> cold = new ArrayList<>();
        GenerationEvent.Done coldDone;
        try (Engine engine = new Engine(LocalModelRunner.load(Fixtures.model("mixtral-fx-F32.gguf"), 2, 64, 2048, 4,
                KvPrecision.F32), EngineOptions.defaults("cold"))) {
            coldDone = run(engine, second, 8, cold);
            assertThat(engine.cachedPromptTokens()).isZero();
        }
        CountingRunner runner = new CountingRunner(LocalModelRunner.load(Fixtures.model("mixtral-fx-F32.gguf"), 2, 64,
                2048, 4, KvPrecision.F32));
        try (Engine engine = new Engine(runner, EngineOptions.defaults("warm"))) {
            run(engine, first, 8, new ArrayList<>());
            long before = runner.rows;
            List<Integer> warm = new ArrayList<>();
            GenerationEvent.Done warmDone = run(engine, second, 8, warm);
            assertThat(warm).isEqualTo(cold);
            assertThat(runner.rows - before).as("rows computed for the second request").isEqualTo(5 + 7);
            assertThat(engine.cachedPromptTokens()).isEqualTo(1024);
            System.out.printf("mixtral-fx-F32, 1029-token prompt, 2 threads: time to first token cold %.1f ms, "
                    + "with the 1024-token prefix cached %.1f ms (%.1f%%)%n", coldDone.timeToFirstTokenNanos() / 1e6,
                    warmDone.timeToFirstTokenNanos() / 1e6,
                    100.0 * warmDone.timeToFirstTokenNanos() / coldDone.timeToFirstTokenNanos());
        }
    }

    @Test
    void oneContextOfBlocksForFourSequencesPreemptsAndChangesNoToken() throws Exception {
        int[] base = tokens(200);
        List<int[]> prompts = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            prompts.add(Arrays.copyOfRange(base, 0, 30 + 11 * i));
        }
        List<List<Integer>> free = generateAll(0, prompts);
        assertThat(lastPreemptions).isZero();
        List<List<Integer>> tight = generateAll(8, prompts);  // 8 blocks of 16 = the context of 128
        assertThat(lastPreemptions).isGreaterThan(0);
        assertThat(tight).isEqualTo(free);
    }

    private long lastPreemptions;

    private List<List<Integer>> generateAll(int kvBlocks, List<int[]> prompts) throws Exception {
        Model model = Model.load(Fixtures.model("mixtral-fx-F32.gguf"), new ModelOptions(2, 64));
        LocalModelRunner runner = kvBlocks > 0 ? new LocalModelRunner(model, 128, 4, KvPrecision.F16, kvBlocks)
                : new LocalModelRunner(model, 128, 4, KvPrecision.F16);
        try (Engine engine = new Engine(runner, EngineOptions.defaults("mixtral"))) {
            List<GenerationHandle> handles = new ArrayList<>();
            for (int[] p : prompts) {
                handles.add(engine.submit(GenerationRequest.greedyIds(p, 40, Set.of())));
            }
            List<List<Integer>> out = new ArrayList<>();
            for (GenerationHandle h : handles) {
                out.add(EngineTest.tokens(h));
            }
            lastPreemptions = engine.preemptions();
            return out;
        }
    }
}
