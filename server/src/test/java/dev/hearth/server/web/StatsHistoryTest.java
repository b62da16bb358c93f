package dev.hearth.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.engine.EngineCounters;
import dev.hearth.server.backend.Backend;
import dev.hearth.server.backend.Generation;
import dev.hearth.server.backend.GenerationSpec;
import dev.hearth.server.backend.ModelInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The dashboard's history: rates from the engines' totals between samples, over models that come and go. */
class StatsHistoryTest {
    /** Models with counters set by the test. */
    static final class CountingBackend implements Backend {
        final Map<String, EngineCounters> counters = new HashMap<>();

        void set(String model, long prompt, long generated, int running, int waiting, int kvUsed) {
            counters.put(model, new EngineCounters(running, waiting, 4, 0, prompt, generated, 0, 0, 100, kvUsed, 0, 16,
                    0, 1));
        }

        @Override
        public List<ModelInfo> models() {
            List<ModelInfo> out = new ArrayList<>();
            for (String name : counters.keySet()) {
                out.add(new ModelInfo(name, "/m/" + name, 1, "llama", "Q4_0", 1, 512, 0, 0));
            }
            return out;
        }

        @Override
        public Optional<ModelInfo> model(String name) {
            return models().stream().filter(m -> m.name().equals(name)).findFirst();
        }

        @Override
        public Optional<EngineCounters> counters(String model) {
            return Optional.ofNullable(counters.get(model));
        }

        @Override
        public Generation generate(GenerationSpec spec) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<float[]> embed(String model, List<String> inputs) {
            throw new UnsupportedOperationException();
        }

        @Override
        public LoadStatus load(String model) {
            return new LoadStatus(0, 0, 4, 0, 0);
        }
    }

    static final long SECOND = 1_000_000_000L;

    /** The sampler thread keeps sampling once started, and stops when told (its own reference set before it runs). */
    @Test
    void theSamplerSamplesOnceStartedAndStopsWhenStopped() throws InterruptedException {
        CountingBackend backend = new CountingBackend();
        backend.set("m", 0, 0, 1, 0, 1);
        StatsHistory history = new StatsHistory(backend);
        history.start();
        try {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (history.size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(history.size()).as("samples after the baseline, one a second").isGreaterThanOrEqualTo(2);
        } finally {
            history.stop();
        }
        Thread.sleep(200);  // a sample under way when stop came ends first
        int stopped = history.size();
        Thread.sleep(2_500);
        assertThat(history.size()).as("no sample after stop").isEqualTo(stopped);
    }

    @Test
    void ratesAreDifferencesOverTheIntervalSummedOverModels() {
        CountingBackend backend = new CountingBackend();
        StatsHistory history = new StatsHistory(backend);
        backend.set("a", 100, 10, 0, 0, 0);
        history.sample(SECOND, 1_000);
        assertThat(history.size()).as("the first sample is only the baseline").isZero();

        backend.set("a", 300, 50, 2, 1, 7);
        backend.set("b", 1_000, 1_000, 1, 0, 3);  // loaded since: its totals are no jump
        history.sample(3 * SECOND, 3_000);
        backend.counters.remove("a");             // unloaded: no negative rate
        backend.set("b", 1_100, 1_040, 1, 0, 3);
        history.sample(4 * SECOND, 4_000);

        Map<String, Object> series = history.series();
        assertThat((double[]) series.get("time")).containsExactly(3.0, 4.0);
        assertThat((double[]) series.get("prompt_tokens_per_second")).containsExactly(100.0, 100.0);
        assertThat((double[]) series.get("generated_tokens_per_second")).containsExactly(20.0, 40.0);
        assertThat((int[]) series.get("running")).containsExactly(3, 1);
        assertThat((int[]) series.get("waiting")).containsExactly(1, 0);
        assertThat((int[]) series.get("kv_blocks_used")).containsExactly(10, 3);
    }

    @Test
    void keepsTheLatestSamplesOnly() {
        CountingBackend backend = new CountingBackend();
        StatsHistory history = new StatsHistory(backend);
        for (int i = 0; i <= StatsHistory.CAPACITY + 5; i++) {
            backend.set("a", 0, i, 0, 0, 0);
            history.sample((i + 1) * SECOND, (i + 1) * 1000L);
        }
        double[] time = (double[]) history.series().get("time");
        assertThat(time).hasSize(StatsHistory.CAPACITY);
        assertThat(time[0]).isEqualTo(7.0);
        assertThat(time[time.length - 1]).isEqualTo(StatsHistory.CAPACITY + 6.0);
    }
}
