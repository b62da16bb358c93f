package dev.hearth.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.engine.LocalModelRunner;
import dev.hearth.kv.KvPrecision;
import dev.hearth.testing.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code --device} / {@code --gpu-layers} parsing, where a model is placed for each choice on this machine's Vulkan
 * device (lavapipe in CI, a CPU-type device), the device listing, and the fallbacks: a device that cannot run the
 * model, and a process with no Vulkan loader at all, both end on the CPU with one line, never an exception.
 */
class DevicePlacementTest {
    static final Path MODEL = Fixtures.model("qwen2-fx-Q8_0.gguf");

    @Test
    void parsesDeviceAndLayers() {
        assertThat(DeviceChoice.parse(null, null)).isEqualTo(DeviceChoice.DEFAULT);
        assertThat(DeviceChoice.parse(null, null).wantsCpuOnly()).isTrue();
        assertThat(DeviceChoice.parse("cpu", "all").wantsCpuOnly()).isTrue();
        assertThat(DeviceChoice.parse("vulkan", null)).isEqualTo(new DeviceChoice("vulkan", -1, null));
        assertThat(DeviceChoice.parse("Vulkan:1", "ALL")).isEqualTo(new DeviceChoice("vulkan", 1, GpuLayers.ALL));
        assertThat(DeviceChoice.parse(null, "auto").wantsCpuOnly()).isFalse();
        assertThat(DeviceChoice.parse(null, "0").wantsCpuOnly()).isTrue();
        assertThat(DeviceChoice.parse("vulkan", "0").wantsCpuOnly()).isTrue();
        assertThat(GpuLayers.parse("12")).isEqualTo(new GpuLayers(GpuLayers.Mode.COUNT, 12));
        assertThatThrownBy(() -> DeviceChoice.parse("vulkan:x", null)).hasMessageContaining("vulkan[:N]");
        assertThatThrownBy(() -> DeviceChoice.parse("cpu:0", null)).hasMessageContaining("vulkan[:N]");
        assertThatThrownBy(() -> DeviceChoice.parse("vulkan:-1", null)).hasMessageContaining("vulkan[:N]");
        assertThatThrownBy(() -> DeviceChoice.parse("vu lkan", null)).hasMessageContaining("vulkan[:N]");
        assertThatThrownBy(() -> DeviceChoice.parse(null, "lots")).hasMessageContaining("--gpu-layers");
        assertThatThrownBy(() -> DeviceChoice.parse(null, "-2")).hasMessageContaining("--gpu-layers");
        assertThat(DeviceChoice.parse("vulkan", "auto", "512m").memoryLimit()).isEqualTo(512L << 20);
        assertThat(DeviceChoice.parse("vulkan", "auto", "2G").memoryLimit()).isEqualTo(2L << 30);
        assertThat(DeviceChoice.parse("vulkan", "auto", "1.5GiB").memoryLimit()).isEqualTo(3L << 29);
        assertThat(DeviceChoice.parse("vulkan", "auto", "4096").memoryLimit()).isEqualTo(4096);
        assertThatThrownBy(() -> DeviceChoice.parse("vulkan", "auto", "lots")).hasMessageContaining("--gpu-memory");
        assertThatThrownBy(() -> DeviceChoice.parse("vulkan", "auto", "0g")).hasMessageContaining("--gpu-memory");
        assertThatThrownBy(() -> ComputeDevices.place(DeviceChoice.parse("cuda", null), 2, first -> 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cpu or vulkan");
    }

    @Test
    void listsTheVulkanDevice() {
        ComputeDevices.Listing listing = ComputeDevices.list();
        assertThat(listing.problems()).isEmpty();
        assertThat(listing.devices()).isNotEmpty();
        DeviceInfo first = listing.devices().getFirst();
        assertThat(first.backend()).isEqualTo("vulkan");
        assertThat(first.index()).isZero();
        assertThat(first.memoryBytes()).isPositive();
        assertThat(first.describe()).startsWith("vulkan:0  ");
        if (first.name().startsWith("llvmpipe")) {  // lavapipe, as CI installs it
            assertThat(first.type()).isEqualTo(DeviceType.CPU);
            assertThat(first.unifiedMemory()).isTrue();
        }
    }

    @Test
    void placesByChoice() {
        DeviceInfo lavapipe = ComputeDevices.list().devices().getFirst();
        assertThat(ComputeDevices.place(DeviceChoice.DEFAULT, 2, first -> 1).onCpu()).isTrue();
        Placement named = ComputeDevices.place(DeviceChoice.parse("vulkan", null), 2, first -> 1000);
        assertThat(named.onCpu()).isFalse();
        assertThat(named.firstLayer()).isZero();
        assertThat(named.note()).startsWith("all 2 layers on vulkan:0 (" + lavapipe.name() + "), 0.0 MiB of ");
        assertThat(ComputeDevices.place(DeviceChoice.parse("vulkan:0", "all"), 2, first -> 1000).onCpu()).isFalse();
        assertThat(ComputeDevices.place(DeviceChoice.parse("vulkan:0", "2"), 2, first -> 1000).onCpu()).isFalse();
        assertThat(ComputeDevices.place(DeviceChoice.parse("vulkan:7", null), 2, first -> 1000).note())
                .contains("vulkan:7 does not exist").endsWith("running on the CPU");
        // a count below the layers splits: the first layers on the CPU, the last N and the output on the device
        Placement split = ComputeDevices.place(DeviceChoice.parse("vulkan", "1"), 2, first -> 1000);
        assertThat(split.split()).isTrue();
        assertThat(split.firstLayer()).isEqualTo(1);
        assertThat(split.note()).startsWith("layer 0 cpu, layer 1 + output vulkan:0 (" + lavapipe.name() + ")");
        Placement tooBig = ComputeDevices.place(DeviceChoice.parse("vulkan", "all"), 2,
                first -> lavapipe.memoryBytes() + 1);
        assertThat(tooBig.onCpu()).isTrue();
        assertThat(tooBig.note()).contains("the model's 2 layers on it need").endsWith("running on the CPU");
        Placement overCap = ComputeDevices.place(DeviceChoice.parse("vulkan", "1", "1k"), 2, first -> 2000);
        assertThat(overCap.onCpu()).isTrue();
        assertThat(overCap.note()).contains("has 0.0 MiB (--gpu-memory), the last layer and the output on it need")
                .contains("--gpu-layers auto");
        // auto under a cap: as many of the last layers as fit (each layer 300 bytes, the output 100)
        Placement auto = ComputeDevices.place(DeviceChoice.parse("vulkan", "auto", "1000"), 4,
                first -> 100 + 300L * (4 - first));
        assertThat(auto.firstLayer()).isEqualTo(1);
        assertThat(auto.deviceBytes()).isEqualTo(1000);
        assertThat(auto.limitBytes()).isEqualTo(1000);
        assertThat(auto.note()).startsWith("layer 0 cpu, layers 1-3 + output vulkan:0")
                .endsWith(", 0.0 MiB of 0.0 MiB (--gpu-memory)");
        assertThat(ComputeDevices.gib(3L << 29)).isEqualTo("1.50 GiB");
        assertThat(ComputeDevices.gib(512L << 20)).isEqualTo("512.0 MiB");
        assertThat(ComputeDevices.place(DeviceChoice.parse("vulkan", "auto", "4000"), 4,
                first -> 100 + 300L * (4 - first)).firstLayer()).isZero();
        Placement none = ComputeDevices.place(DeviceChoice.parse("vulkan", "auto", "300"), 4,
                first -> 100 + 300L * (4 - first));
        assertThat(none.onCpu()).isTrue();
        assertThat(none.note()).contains("one layer and the output need").endsWith("all 4 layers run on the CPU");
        if (lavapipe.type() == DeviceType.CPU && ComputeDevices.list().devices().size() == 1) {
            // auto picks a real GPU only: a software device must be named
            Placement unnamed = ComputeDevices.place(DeviceChoice.parse(null, "auto"), 2, first -> 1000);
            assertThat(unnamed.onCpu()).isTrue();
            assertThat(unnamed.note()).contains("no GPU found").contains("--device vulkan");
        }
    }

    @Test
    void aDeviceThatCannotRunTheModelFallsBackToTheCpu() throws IOException {
        if (ComputeDevices.list().devices().getFirst().name().startsWith("llvmpipe")) {
            // 40 slots of 32768 positions: one layer's keys (167 MB) exceed lavapipe's 128 MiB storage buffer range,
            // which only the device itself finds out
            try (LocalModelRunner runner = LocalModelRunner.load(MODEL, 1, 8, 32768, 40, KvPrecision.F32, 0, null,
                    DeviceChoice.parse("vulkan", "all"))) {
                assertThat(runner.placement()).startsWith("vulkan:0: keys of layer 0 needs one buffer of")
                        .endsWith("all 2 layers run on the CPU");
                assertThat(runner.model().device()).isEqualTo("cpu");
                assertThat(runner.kvCache().hostStorage()).isTrue();
            }
        }
        try (LocalModelRunner runner = LocalModelRunner.load(MODEL, 1, 8, 64, 1, KvPrecision.Q8_0, 0, null,
                DeviceChoice.parse("vulkan", "all"))) {
            assertThat(runner.placement()).startsWith("all 2 layers on vulkan:0");
            assertThat(runner.model().device()).startsWith("vulkan:0");
            assertThat(runner.kvCache().hostStorage()).isFalse();
        }
    }

    @Test
    void noVulkanLoaderMeansOneLineAndTheCpu() throws Exception {
        // a fresh JVM whose LWJGL looks for the loader where there is none
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dorg.lwjgl.vulkan.libname=/nonexistent/libvulkan.so.1",
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                NoLoaderMain.class.getName(), MODEL.toString())
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        List<String> lines = out.lines().filter(l -> l.startsWith("placement: ") || l.startsWith("problem: ")).toList();
        assertThat(lines).as(out).hasSize(2);
        assertThat(lines.get(0)).startsWith("problem: vulkan: no usable Vulkan loader");
        assertThat(lines.get(1)).startsWith("placement: vulkan: no usable Vulkan loader").endsWith("on the CPU");
        assertThat(out).contains("logits ok");
    }
}
