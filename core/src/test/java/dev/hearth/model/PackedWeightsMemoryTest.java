package dev.hearth.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.kernel.NativeKernels;
import dev.hearth.kernel.NativeKernelsTest;
import dev.hearth.testing.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Repacked weights live outside the JVM's direct-memory limit and heap: a model whose repacked weights (about 34 MB
 * for the Q4_K_M fixture) exceed both a 16 MB direct-memory limit and a 32 MB heap loads and runs in a JVM started
 * with those limits, from memory and through the repack cache.
 */
class PackedWeightsMemoryTest {
    private static final long LIMIT = 16L << 20;
    private static final long HEAP = 32L << 20;

    @Test
    void loadsUnderSmallDirectMemoryAndHeapLimits(@TempDir Path cache) throws Exception {
        Path model = Fixtures.model("qwen2-kq-fx-Q4_K_M.gguf");
        assertThat(NativeKernels.available()).isEqualTo(NativeKernelsTest.nativeExpected());
        for (String[] args : new String[][] {{model.toString()}, {model.toString(), cache.toString()},
                {model.toString(), cache.toString()}}) {
            String out = runChild(args);
            long packed = Long.parseLong(out.replaceAll("(?s).*packed=(\\d+).*", "$1"));
            if (NativeKernels.available()) {
                assertThat(packed).as(out).isGreaterThan(HEAP).isGreaterThan(LIMIT);
            } else {
                assertThat(out).contains("no repacking");
            }
        }
        if (NativeKernels.available()) {  // the second cached run read what the first wrote
            try (var files = Files.list(cache)) {
                assertThat(files.filter(f -> f.toString().endsWith(".hpack")).count()).isEqualTo(1);
            }
            assertThat(runChild(model.toString(), cache.toString())).contains("repack cache: mapped");
        }
    }

    private static String runChild(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-XX:MaxDirectMemorySize=" + LIMIT, "-Xmx" + (HEAP >> 20) + "m", "-cp", System.getProperty("java.class.path"),
                PackedLoadMain.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] bytes = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String out = new String(bytes, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("packed=");
        return out;
    }
}
