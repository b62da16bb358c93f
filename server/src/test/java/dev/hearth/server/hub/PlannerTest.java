package dev.hearth.server.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.hearth.kv.KvPrecision;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlannerTest {
    /** 64 GB, 16 cores, 60 GB/s, AVX2 peak: a typical workstation; numbers fixed so results are exact. */
    static final MachineProfile WORKSTATION = new MachineProfile(64_000_000_000L, 16, 60e9, 16 * 8 * 2 * 2 * 3e9);
    final Planner planner = new Planner(WORKSTATION);

    MemoryPlan plan(String name, String quant, int ctx, int parallel, KvPrecision kv) {
        CatalogueEntry e = Catalogue.find(name).orElseThrow();
        return planner.plan(name, quant, e.shape(), e.estimatedBytes(quant),
                new PlanRequest(64_000_000_000L, ctx, parallel, kv));
    }

    @Test
    void kvCacheFollowsTheFormula() {
        MemoryPlan p = plan("qwen2.5:32b", "Q4_K_M", 8192, 1, KvPrecision.F16);
        // 64 layers x 2 x 8 kv heads x 128 x 8192 tokens x 1 x 2 bytes
        assertThat(p.kvCacheBytes()).isEqualTo(64L * 2 * 8 * 128 * 8192 * 2);
        MemoryPlan q8 = plan("qwen2.5:32b", "Q4_K_M", 8192, 4, KvPrecision.Q8_0);
        assertThat(q8.kvCacheBytes()).isEqualTo(64L * 2 * 8 * 128 * 34 / 32 * 8192 * 4);
    }

    @Test
    void qwen32BAtQ4FitsIn64GBWithRoomForKvCache() {
        MemoryPlan p = plan("qwen2.5:32b", "Q4_K_M", 8192, 16, KvPrecision.F16);
        assertThat(p.kvCacheBytes()).isGreaterThan(30_000_000_000L);
        assertThat(p.fits()).isTrue();
        assertThat(plan("qwen2.5:32b", "Q4_K_M", 8192, 1, KvPrecision.F16).verdict())
                .isEqualTo(MemoryPlan.Verdict.FITS);
    }

    @Test
    void mixtral8x22BAtQ4DoesNotFit64GB() {
        MemoryPlan p = plan("mixtral:8x22b", "Q4_K_M", 2048, 1, KvPrecision.F16);
        assertThat(p.fits()).isFalse();
        assertThat(p.verdict()).isEqualTo(MemoryPlan.Verdict.DOES_NOT_FIT);
        assertThat(p.maxContextThatFits()).isZero();
        assertThat(p.describe()).contains("does not fit");
    }

    @Test
    void tooMuchContextDoesNotFitAndSaysHowMuchWould() {
        MemoryPlan p = plan("qwen2.5:32b", "Q4_K_M", 131_072, 4, KvPrecision.F16);
        assertThat(p.fits()).isFalse();
        long max = p.maxContextThatFits();
        assertThat(max).isBetween(10_000L, 131_072L);
        assertThat(plan("qwen2.5:32b", "Q4_K_M", (int) max - 1024, 4, KvPrecision.F16).fits()).isTrue();
    }

    @Test
    void aRefusalSaysWhatWouldFitInstead() {
        MemoryPlan p = new Planner(WORKSTATION.withMemory(26_000_000_000L)).plan("qwen2.5:32b", "Q4_K_M",
                Catalogue.find("qwen2.5:32b").orElseThrow().shape(), 19_900_000_000L,
                new PlanRequest(26_000_000_000L, 4096, 4, KvPrecision.F16));
        assertThat(p.fits()).isFalse();
        assertThat(p.describe()).contains("needs " + Bytes.format(p.totalBytes())).contains("of "
                + Bytes.format(p.budgetBytes())).contains("; or --parallel 2").contains("; or --kv q8_0 (KV cache")
                .contains("; or a quantization with weights under");
        for (int parallel : new int[] {2}) {  // what it names does fit
            assertThat(new Planner(WORKSTATION).plan("qwen2.5:32b", "Q4_K_M", p.shape(), 19_900_000_000L,
                    new PlanRequest(26_000_000_000L, 4096, parallel, KvPrecision.F16)).fits()).isTrue();
        }
        assertThat(new Planner(WORKSTATION).plan("qwen2.5:32b", "Q4_K_M", p.shape(), 19_900_000_000L,
                new PlanRequest(26_000_000_000L, 4096, 4, KvPrecision.Q8_0)).fits()).isTrue();
    }

    @Test
    void decodeSpeedIsBandwidthOverBytesPerToken() {
        MemoryPlan p = plan("llama3.1:8b", "Q8_0", 2, 1, KvPrecision.F16);
        double weights = Catalogue.find("llama3.1:8b").orElseThrow().estimatedBytes("Q8_0");
        assertThat(p.decodeTokensPerSec()).isCloseTo(60e9 * 0.85 / weights, within(0.1));
        // mixture of experts reads only the active experts
        MemoryPlan moe = plan("mixtral:8x7b", "Q4_K_M", 2, 1, KvPrecision.F16);
        MemoryPlan dense = plan("qwen2.5:32b", "Q4_K_M", 2, 1, KvPrecision.F16);
        assertThat(moe.weightBytes()).isGreaterThan(dense.weightBytes());
        assertThat(moe.decodeTokensPerSec()).isGreaterThan(dense.decodeTokensPerSec());
        // batching raises aggregate throughput
        MemoryPlan batched = plan("llama3.1:8b", "Q8_0", 4096, 8, KvPrecision.F16);
        assertThat(batched.aggregateDecodeTokensPerSec()).isGreaterThan(batched.decodeTokensPerSec() * 4);
        assertThat(p.promptTokensPerSec()).isGreaterThan(p.decodeTokensPerSec());
    }

    @Test
    void bestModelIsTheLargestThatFitsAtAUsefulSpeed() {
        List<MemoryPlan> plans = planner.planCatalogue(new PlanRequest(64_000_000_000L, 8192, 1, KvPrecision.F16));
        assertThat(plans).hasSize(Catalogue.entries().size() * 3);
        MemoryPlan best = Planner.best(plans).orElseThrow();
        assertThat(best.fits()).isTrue();
        assertThat(best.decodeTokensPerSec()).isGreaterThanOrEqualTo(5.0);
        for (MemoryPlan p : plans) {
            if (p.fits() && p.decodeTokensPerSec() >= 5.0) {
                assertThat(p.shape().parameterCount()).isLessThanOrEqualTo(best.shape().parameterCount());
            }
        }
        List<MemoryPlan> small = new Planner(WORKSTATION.withMemory(3_000_000_000L))
                .planCatalogue(new PlanRequest(3_000_000_000L, 2048, 1, KvPrecision.F16));
        MemoryPlan smallBest = Planner.best(small).orElseThrow();
        assertThat(smallBest.shape().parameterCount()).isBetween(1_000_000_000L, 2_000_000_000L);
        assertThat(small).filteredOn(p -> p.model().equals("llama3.2:3b")).noneMatch(MemoryPlan::fits);
        assertThat(Planner.best(new Planner(WORKSTATION).planCatalogue(
                new PlanRequest(1L << 30, 2048, 1, KvPrecision.F16)))).isEmpty();
    }

    @Test
    void checksAStoredModelFromItsGgufHeader(@TempDir Path home) throws IOException {
        try (FakeHub hub = new FakeHub()) {
            hub.addRepo("t/Tiny-GGUF", false, Map.of("Tiny-F32.gguf", TinyGguf.model(3)));
            ModelStore store = new ModelStore(home);
            new Puller(store, new HfClient(new HubSettings(hub.endpoint(), null, 2, Duration.ofMillis(1),
                    Duration.ofSeconds(5)))).pull("hf://t/Tiny-GGUF", PullListener.NONE);
            MemoryPlan p = planner.check(store.resolve("tiny"), new PlanRequest(8_000_000_000L, 256, 2,
                    KvPrecision.F16));
            assertThat(p.shape().layers()).isEqualTo(TinyGguf.LAYERS);
            assertThat(p.shape().parameterCount()).isEqualTo(TinyGguf.parameterCount());
            assertThat(p.kvCacheBytes()).isEqualTo(2L * 2 * 2 * (TinyGguf.DIM / 4) * 256 * 2 * 2);
            assertThat(p.quantization()).isEqualTo("F32");
            assertThat(p.fits()).isTrue();
            assertThat(planner.admit(store.resolve("tiny"), new PlanRequest(8_000_000_000L, 256, 2,
                    KvPrecision.F16)).verdict()).isEqualTo(MemoryPlan.Verdict.FITS);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> planner.admit(store.resolve("tiny"),
                    new PlanRequest(1_000_000_000L, 256, 2, KvPrecision.F16)))
                    .isInstanceOf(HubException.class).hasMessageContaining("refusing to load: tiny:latest F32")
                    .hasMessageContaining("does not fit");
        }
    }

    @Test
    void bandwidthMeasurementIsPlausible() {
        double bw = dev.hearth.engine.MemoryBandwidth.measure(2, 256);
        assertThat(bw).isBetween(0.5e9, 2e12);
    }
}
