package dev.hearth.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.device.ComputeDevice;
import dev.hearth.device.DeviceChoice;
import dev.hearth.device.DeviceFootprint;
import dev.hearth.device.DeviceUnavailableException;
import dev.hearth.engine.LocalModelRunner;
import dev.hearth.gpu.VulkanTestDevice;
import dev.hearth.kv.KvCache;
import dev.hearth.kv.KvPrecision;
import dev.hearth.testing.Fixtures;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Device memory: {@link DeviceFootprint}'s prediction against what the Vulkan pass allocates for fixtures (whole
 * model, split, tied and untied output, experts, each KV precision), {@code --gpu-memory} refusing a pass that does not
 * fit, and {@code --gpu-layers auto} under a small cap picking a split whose logits still match llama.cpp's.
 */
class DeviceMemoryTest {
    /** The prediction follows the pass's buffers; the driver may round each allocation up a little. */
    static final double ESTIMATE_TOLERANCE = 0.03;

    record Opened(String model, KvPrecision kv, int firstLayer) {
    }

    @Test
    void footprintPredictsWhatThePassAllocates() throws Exception {
        ComputeDevice device = VulkanTestDevice.first();
        List<Opened> cases = List.of(new Opened("llama3-fx-F16", KvPrecision.F32, 0),
                new Opened("llama3-fx-F16", KvPrecision.F16, 1), new Opened("qwen2-kq-fx-Q4_K_M", KvPrecision.F32, 0),
                new Opened("qwen2-kq-fx-Q4_K_M", KvPrecision.F32, 1), new Opened("qwen2-kq-fx-Q4_K_M",
                        KvPrecision.Q8_0, 3), new Opened("mixtral-fx-Q4_0", KvPrecision.F32, 1));
        List<String> off = new ArrayList<>();
        for (Opened c : cases) {
            int context = 256;
            int sequences = 3;
            int blocks = sequences * context / KvCache.DEFAULT_BLOCK_SIZE;
            try (Model model = Model.load(Fixtures.model(c.model() + ".gguf"), new ModelOptions(1, 32))) {
                DeviceFootprint footprint = DeviceFootprint.of(model.file(), c.kv(),
                        (long) blocks * KvCache.DEFAULT_BLOCK_SIZE, 32, sequences, context, KvCache.DEFAULT_BLOCK_SIZE);
                long predicted = footprint.forLayers(c.firstLayer()).total();
                KvCache kv = model.newSplitKvCache(c.firstLayer(), context, sequences, c.kv(),
                        KvCache.DEFAULT_BLOCK_SIZE, blocks);
                LayerRangePass pass = device.open(model.config(), model.weights(), kv, 32, c.firstLayer(), 0);
                long allocated = VulkanTestDevice.allocatedBytes(pass);
                pass.close();
                double error = (double) (predicted - allocated) / allocated;
                System.out.printf("device memory %-40s predicted %,d bytes, allocated %,d (%+.2f%%)%n", c, predicted,
                        allocated, 100 * error);
                if (Math.abs(error) > ESTIMATE_TOLERANCE) {
                    off.add(c + ": predicted " + predicted + ", allocated " + allocated);
                }
                // a cap below the prediction is refused with the limit named; the device keeps nothing
                KvCache kv2 = model.newSplitKvCache(c.firstLayer(), context, sequences, c.kv(),
                        KvCache.DEFAULT_BLOCK_SIZE, blocks);
                assertThatThrownBy(() -> device.open(model.config(), model.weights(), kv2, 32, c.firstLayer(),
                        predicted / 2)).isInstanceOf(DeviceUnavailableException.class)
                        .hasMessageContaining("--gpu-memory limit");
            }
        }
        assertThat(off).isEmpty();
    }

    @Test
    void autoUnderASmallCapSplitsAndMatchesTheReferences() throws Exception {
        ReferenceLogits ref = ReferenceLogits.read("logits_qwen2-kq-fx-Q4_K_M.dequant-f32.json");
        ReferenceLogits.Prompt p = ref.prompt("short");
        int context = p.promptIds().length;
        int blocks = (context + KvCache.DEFAULT_BLOCK_SIZE - 1) / KvCache.DEFAULT_BLOCK_SIZE;
        // the CPU's float kernels, so that both parts do float32 math like the reference
        Model model = Model.load(Fixtures.model("qwen2-kq-fx-Q4_K_M.gguf"),
                new ModelOptions(1, 8).withNativeKernels(false));
        DeviceFootprint footprint = DeviceFootprint.of(model.file(), KvPrecision.F32,
                (long) blocks * KvCache.DEFAULT_BLOCK_SIZE, 8, 1, context, KvCache.DEFAULT_BLOCK_SIZE);
        long twoLayers = footprint.forLayers(2).total();
        long cap = (twoLayers + footprint.forLayers(1).total()) / 2;  // room for the last two layers, not three
        try (LocalModelRunner runner = new LocalModelRunner(model, context, 1, KvPrecision.F32, blocks,
                DeviceChoice.parse("vulkan", "auto", Long.toString(cap)))) {
            assertThat(runner.placement()).startsWith("layers 0-1 cpu, layers 2-3 + output vulkan:0")
                    .contains(String.format(java.util.Locale.ROOT, "%.1f MiB of %.1f MiB (--gpu-memory)",
                            twoLayers / (double) (1L << 20), cap / (double) (1L << 20)));
            assertThat(runner.kvCache().hostLayers()).isEqualTo(2);
            List<String> failures = new ArrayList<>();
            double[] maxAbs = {0};
            PromptFeeder.feed(model, runner.kvCache(), model.newBatch(), model.newLogits(8), 0, p.promptIds(), 0, 7,
                    true, (pos, lg, row) -> {
                        ReferenceLogits.Position expected = p.prefill().get(pos);
                        for (int j = 0; j < expected.ids().length; j++) {
                            double d = Math.abs(lg.get(row, expected.ids()[j]) - expected.logits()[j]);
                            maxAbs[0] = Math.max(maxAbs[0], d);
                            if (d > VulkanFidelityTest.F32_TOLERANCE && failures.size() < 10) {
                                failures.add("position " + pos + " id " + expected.ids()[j] + ": " + d);
                            }
                        }
                    });
            System.out.printf("auto split under %,d bytes: %s; max abs %.3g%n", cap, runner.placement(), maxAbs[0]);
            assertThat(failures).isEmpty();
        }
    }
}
