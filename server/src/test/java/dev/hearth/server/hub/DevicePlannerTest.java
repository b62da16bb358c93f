package dev.hearth.server.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.device.DeviceChoice;
import dev.hearth.device.DeviceFootprint;
import dev.hearth.engine.LocalModelRunner;
import dev.hearth.gguf.GgufFile;
import dev.hearth.kv.KvPrecision;
import dev.hearth.server.backend.InsufficientMemoryException;
import dev.hearth.server.local.LoadOptions;
import dev.hearth.server.local.StoreModelSource;
import dev.hearth.testing.Fixtures;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The planner counts device memory (on this machine's Vulkan device, lavapipe in CI): layers asked for that do not fit
 * the device or {@code --gpu-memory} are refused with both numbers, by {@code plan} and by serve's admission (507);
 * {@code auto} predicts the split that fits, with the CPU layers' KV cache left in host memory.
 */
class DevicePlannerTest {
    static final Path MODEL = Fixtures.model("qwen2-fx-Q8_0.gguf");
    static final MachineProfile MACHINE = new MachineProfile(64L << 30, 2, 10e9, 1e11);
    final Planner planner = new Planner(MACHINE);

    PlanRequest request(DeviceChoice device) {
        return new PlanRequest(64L << 30, 512, 2, KvPrecision.F16, device);
    }

    @Test
    void layersThatDoNotFitTheDeviceAreRefusedWithBothNumbers(@TempDir Path home) throws Exception {
        DeviceChoice tooSmall = DeviceChoice.parse("vulkan", "all", "4m");
        MemoryPlan p = planner.planFile("q", MODEL, request(tooSmall));
        assertThat(p.verdict()).isEqualTo(MemoryPlan.Verdict.DOES_NOT_FIT);
        assertThat(p.totalBytes()).isLessThan(p.budgetBytes());  // the host has room: the device refuses
        assertThat(p.describe()).contains("does not fit on the device").containsPattern(
                "the model's 2 layers need \\d+\\.\\d MiB on vulkan:0, it has 4\\.0 MiB \\(--gpu-memory\\)");
        assertThat(p.device().sizes().total()).isEqualTo(p.device().placement().deviceBytes())
                .isGreaterThan(4L << 20);
        LoadOptions options = new LoadOptions(2, 512, 1, LocalModelRunner.DEFAULT_MAX_BATCH_TOKENS, 16,
                KvPrecision.F16).withDevice(tooSmall);
        StoreModelSource source = new StoreModelSource(new ModelStore(home), planner, options);
        assertThatThrownBy(() -> source.admitFile(MODEL, "q", 0)).isInstanceOf(InsufficientMemoryException.class)
                .hasMessageContaining("not enough device memory to load the model 'q': the model's 2 layers need")
                .hasMessageContaining("it has 4.0 MiB (--gpu-memory)");
    }

    @Test
    void autoPredictsTheSplitThatFits() throws Exception {
        DeviceFootprint footprint;
        try (GgufFile g = GgufFile.open(MODEL)) {
            footprint = DeviceFootprint.forRunner(g, KvPrecision.F16, 512, 2,
                    LocalModelRunner.DEFAULT_MAX_BATCH_TOKENS);
        }
        long cap = (footprint.forLayers(1).total() + footprint.forLayers(0).total()) / 2;
        MemoryPlan split = planner.planFile("q", MODEL, request(DeviceChoice.parse("vulkan", "auto",
                Long.toString(cap))));
        assertThat(split.fits()).isTrue();
        assertThat(split.device().placement().firstLayer()).isEqualTo(1);
        assertThat(split.device().sizes()).isEqualTo(footprint.forLayers(1));
        assertThat(split.device().describe()).startsWith("layer 0 cpu, layer 1 + output vulkan:0")
                .contains("(--gpu-memory)");
        MemoryPlan cpu = planner.planFile("q", MODEL, request(DeviceChoice.DEFAULT));
        assertThat(cpu.device()).isNull();
        assertThat(split.kvCacheBytes()).isEqualTo(cpu.kvCacheBytes() / 2);  // one of two layers' KV on the host
        MemoryPlan all = planner.planFile("q", MODEL, request(DeviceChoice.parse("vulkan", "auto",
                Long.toString(footprint.forLayers(0).total()))));
        assertThat(all.device().placement().firstLayer()).isZero();
        assertThat(all.kvCacheBytes()).isZero();
        assertThat(all.device().describe()).startsWith("all 2 layers on vulkan:0");
    }

    /**
     * On unified memory (lavapipe: a software device whose driver imports host pointers) the device's KV cache and
     * scratch are host memory and count in the host's total; its weights do not count twice, being read in place from
     * the mapped file the CPU side already counts.
     */
    @Test
    void onUnifiedMemoryTheDevicesPartCountsInHostMemoryAndItsWeightsOnce() throws Exception {
        MemoryPlan all = planner.planFile("q", MODEL, request(DeviceChoice.parse("vulkan", "all")));
        MemoryPlan cpu = planner.planFile("q", MODEL, request(DeviceChoice.DEFAULT));
        DeviceFootprint.Sizes sizes = all.device().sizes();
        assertThat(all.device().placement().device().info().unifiedMemory()).isTrue();
        assertThat(all.device().placement().device().info().weightsInPlace()).isTrue();
        assertThat(all.deviceHostBytes()).isEqualTo(sizes.kv() + sizes.scratch()).isPositive();
        assertThat(all.totalBytes()).isEqualTo(cpu.totalBytes() - cpu.kvCacheBytes() + sizes.kv() + sizes.scratch());
        assertThat(all.describe()).contains("the device's part in unified memory");
    }
}
