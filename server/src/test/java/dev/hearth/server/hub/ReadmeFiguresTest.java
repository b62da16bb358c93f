package dev.hearth.server.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.kv.KvPrecision;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The README's memory figures for the default model are the planner's own words: each sentence below is what
 * {@code hearth plan --ram 64G --ctx-size 8192 --parallel 16 --kv KV} computes for qwen2.5:32b at Q4_K_M. When the
 * planner changes, this fails and prints the sentence to put in the README.
 */
class ReadmeFiguresTest {
    static MemoryPlan plan(KvPrecision kv) {
        PlanRequest request = new PlanRequest(Bytes.parse("64G"), 8192, 16, kv);
        return new Planner(MachineProfile.unmeasured()).planCatalogue(request).stream()
                .filter(p -> p.model().equals("qwen2.5:32b") && p.quantization().equals("Q4_K_M"))
                .findFirst().orElseThrow();
    }

    @Test
    void theDefaultModelsMemoryClaimIsThePlannersOutput() throws Exception {
        String readme = Files.readString(Path.of("../README.md")).replaceAll("\\s+", " ");
        MemoryPlan f16 = plan(KvPrecision.F16);
        MemoryPlan q8 = plan(KvPrecision.Q8_0);
        assertThat(f16.verdict()).isEqualTo(MemoryPlan.Verdict.TIGHT);
        assertThat(readme).contains("`hearth plan --ram 64G --ctx-size 8192 --parallel 16 --kv f16`: " + f16.describe())
                .contains("`--kv q8_0`: " + q8.describe());
        assertThat(readme).doesNotContain("with room for 16 x 8k");
    }
}
