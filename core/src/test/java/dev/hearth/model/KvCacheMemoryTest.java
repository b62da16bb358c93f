package dev.hearth.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The KV pool lives in native memory, outside the heap and the direct-memory limit, and is not zero-filled up front:
 * in a JVM with a 40 MB heap and a 32 MB direct-memory limit, a 1 GiB pool per precision (F32, F16, Q8_0) is made, a
 * sequence run in its last block gives the same logits as a one-sequence pool, and the process's resident memory grows
 * by far less than the pool (only the pages written become resident).
 */
class KvCacheMemoryTest {
    private static final long POOL = 1L << 30;

    @Test
    void largePoolUnderSmallHeapIsLazyAndExact() throws Exception {
        String model = Fixtures.model("qwen2-kq-fx-Q4_K_M.gguf").toString();
        List<String> cmd = List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-XX:MaxDirectMemorySize=32m", "-Xmx40m", "-cp", System.getProperty("java.class.path"),
                LargeKvMain.class.getName(), model, Long.toString(POOL));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] bytes = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String out = new String(bytes, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        Matcher m = Pattern.compile("(F32|F16|Q8_0) mapped=(\\d+) resident\\+=(-?\\d+)").matcher(out);
        int precisions = 0;
        while (m.find()) {
            precisions++;
            assertThat(Long.parseLong(m.group(2))).as(out).isGreaterThanOrEqualTo(POOL);
            assertThat(Long.parseLong(m.group(3))).as(out).isLessThan(64L << 20);
        }
        assertThat(precisions).as(out).isEqualTo(3);
    }
}
