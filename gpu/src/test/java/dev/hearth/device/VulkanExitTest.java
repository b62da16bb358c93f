package dev.hearth.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A process whose Vulkan device is busy and open when the JVM exits ends cleanly: the shutdown hook closes the
 * device after the submission in flight, then the instance (on the NVIDIA driver, skipping that crashed the JVM at
 * exit in libEGL_nvidia). Both ways a run ends: main returning, and SIGTERM.
 */
class VulkanExitTest {
    private static final Path MODEL = DevicePlacementTest.MODEL;

    private static Process start(String mode) throws Exception {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dhearth.vulkan.quickExit=" + mode.startsWith("quick"),
                "-cp", System.getProperty("java.class.path"), "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", VulkanExitMain.class.getName(),
                MODEL.toAbsolutePath().toString(), mode).redirectErrorStream(true).start();
    }

    private static String finish(Process p, StringBuilder seen) throws Exception {
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as(seen.toString()).isTrue();
        return seen + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void exitsZeroWhenMainReturnsWithTheDeviceBusy() throws Exception {
        Process p = start("finish");
        String out = finish(p, new StringBuilder());
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("placement: all").contains("busy").doesNotContain("fatal error")
                .doesNotContain("SIGSEGV");
    }

    @Test
    void quickExitEndsWithMainsStatusAfterTheShutdownTasksAndFlushedOutput() throws Exception {
        Process p = start("quick-finish");
        String out = finish(p, new StringBuilder());
        assertThat(p.exitValue()).as(out).isEqualTo(7);
        assertThat(out).contains("placement: all").contains("busy").contains("drained\n")
                .contains("tail-unflushed")  // no newline, so only the quick exit's flush writes it
                .doesNotContain("jvm hook ran")  // _exit: no JVM hook, no C exit handler ran
                .doesNotContain("fatal error").doesNotContain("SIGSEGV");
    }

    @Test
    void quickExitOnSigtermEndsWith143AfterTheShutdownTasks() throws Exception {
        Process p = start("quick-term");
        StringBuilder seen = new StringBuilder();
        BufferedReader lines = readUntilBusy(p, seen);
        assertThat(p.toHandle().destroy()).isTrue();  // SIGTERM
        lines.lines().forEach(l -> seen.append(l).append('\n'));  // what the reader may have buffered, then the rest
        String out = finish(p, seen);
        assertThat(p.exitValue()).as(out).isEqualTo(143);
        assertThat(out).contains("drained\n").contains("tail-unflushed")
                .doesNotContain("fatal error").doesNotContain("SIGSEGV");
    }

    private static BufferedReader readUntilBusy(Process p, StringBuilder seen) throws Exception {
        BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = lines.readLine()) != null; ) {
            seen.append(line).append('\n');
            if (line.equals("busy")) {
                break;
            }
        }
        assertThat(seen.toString()).contains("busy");
        return lines;
    }

    @Test
    void sigtermEndsWithTheJvmsStatusNotACrash() throws Exception {
        Process p = start("term");
        StringBuilder seen = new StringBuilder();
        BufferedReader lines = readUntilBusy(p, seen);
        // SIGTERM (through the handle: Process.destroy would also close our end of its output)
        assertThat(p.toHandle().destroy()).isTrue();  // the JVM runs its hooks with the forward loop submitting
        lines.lines().forEach(l -> seen.append(l).append('\n'));
        String out = finish(p, seen);
        assertThat(p.exitValue()).as(out).isEqualTo(143);  // 128 + SIGTERM, the JVM's own status (a crash: 134)
        assertThat(out).doesNotContain("fatal error").doesNotContain("SIGSEGV");
    }
}
