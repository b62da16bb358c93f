package dev.hearth.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.device.DeviceChoice;
import dev.hearth.engine.LocalModelRunner;
import dev.hearth.kv.KvPrecision;
import dev.hearth.model.Batch;
import dev.hearth.model.Logits;
import dev.hearth.testing.Fixtures;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code -Dhearth.gpu.profile=true} on lavapipe: a prompt step and decode steps give one table each, naming the
 * kernels a forward pass runs, with per-kernel times that add up to the GPU step, itself within the host's wall time.
 */
class GpuProfileTest {
    private static final Pattern HEADER = Pattern.compile(
            "gpu profile: (\\d+) step\\(s\\) of (\\d+) token\\(s\\): GPU ([\\d.]+) ms/step, host wall ([\\d.]+) ms/step");
    private static final Pattern ROW = Pattern.compile("^  (\\S.*?)\\s+([\\d.]+)\\s+([\\d.]+)\\s+([\\d.]+)%$");

    /** The profile's report of the steps {@code steps} runs on the qwen2 fixture, under -Dhearth.gpu.profile=mode. */
    private static String profiled(String mode, java.util.function.BiConsumer<LocalModelRunner, Logits> steps)
            throws Exception {
        GpuProfile.reset();
        System.setProperty("hearth.gpu.profile", mode);
        try (LocalModelRunner runner = LocalModelRunner.load(Fixtures.model("qwen2-fx-Q8_0.gguf"), 1, 8, 64, 1,
                KvPrecision.F16, 0, null, DeviceChoice.parse("vulkan", "all"))) {
            steps.accept(runner, runner.model().newLogits(1));
            return GpuProfile.report();
        } finally {
            System.clearProperty("hearth.gpu.profile");
            GpuProfile.reset();
        }
    }

    private static void decode(LocalModelRunner runner, Logits logits, int from, int to) {
        for (int t = from; t < to; t++) {
            runner.model().forward(runner.model().newBatch().add(1 + t, t, 0, true), runner.kvCache(), logits);
        }
    }

    @Test
    void namesEveryKernelAndTheirTimesSumWithinTheStep() throws Exception {
        String report = profiled("true", (runner, logits) -> {
            for (int chunk = 0; chunk < 2; chunk++) {  // the first step of a size is left out (compiles)
                Batch prompt = runner.model().newBatch();
                for (int t = 4 * chunk; t < 4 * chunk + 4; t++) {
                    prompt.add(1 + t, t, 0, t % 4 == 3);
                }
                runner.model().forward(prompt, runner.kvCache(), logits);
            }
            decode(runner, logits, 8, 12);
        });
        assertThat(report).contains("step(s) of 1 token(s)").contains("step(s) of 4 token(s)")
                .contains("embed").contains("rmsnorm").contains("attention").contains("kvstore")
                .contains("ROPE 1")  // the rotation folded into the KV store's pass
                .contains("matvec").contains("NORM 1").contains("RESID 1")  // decode's norms and adds in its products
                .contains("attention_combine");  // decode attention split over positions
        double gpu = 0;
        double host = 0;
        double sum = 0;
        int tables = 0;
        for (String line : report.split("\n")) {
            Matcher h = HEADER.matcher(line);
            if (h.find()) {
                assertThat(sum).as(report).isLessThanOrEqualTo(gpu * 1.001 + 1e-3);
                int steps = Integer.parseInt(h.group(1));
                gpu = Double.parseDouble(h.group(3)) * steps;
                host = Double.parseDouble(h.group(4)) * steps;
                assertThat(gpu).as(report).isPositive().isLessThanOrEqualTo(host);
                sum = 0;
                tables++;
                continue;
            }
            Matcher r = ROW.matcher(line);
            if (r.find()) {
                sum += Double.parseDouble(r.group(3));
            }
        }
        assertThat(tables).isEqualTo(2);
        assertThat(sum).as(report).isPositive().isLessThanOrEqualTo(gpu * 1.001 + 1e-3);
    }

    /**
     * {@code -Dhearth.gpu.profile=steps}: the decode steps reuse one recording (no kernel rows, only the step's own
     * two timestamps), and the cycle from one step's start to the next is at least the step's GPU time.
     */
    @Test
    void stepsOnlyTimesWholeReusedSteps() throws Exception {
        String report = profiled("steps", (runner, logits) -> decode(runner, logits, 0, 6));
        Matcher h = HEADER.matcher(report);
        assertThat(h.find()).as(report).isTrue();
        assertThat(h.group(1)).as(report).isEqualTo("5");  // the first (recording) step left out
        double gpu = Double.parseDouble(h.group(3));
        assertThat(gpu).as(report).isPositive().isLessThanOrEqualTo(Double.parseDouble(h.group(4)));
        assertThat(report).doesNotContain("matvec").contains("(step)");
        Matcher c = Pattern.compile("start to next start ([\\d.]+) ms/step over (\\d+) step\\(s\\), GPU ([\\d.]+)")
                .matcher(report);
        assertThat(c.find()).as(report).isTrue();
        assertThat(Integer.parseInt(c.group(2))).as(report).isEqualTo(4);  // the last step has no next
        // each cycle holds its step's GPU time: compared over the same steps (the GPU mean above has one more)
        assertThat(Double.parseDouble(c.group(1))).as(report).isGreaterThanOrEqualTo(Double.parseDouble(c.group(3)))
                .isPositive();
    }
}
