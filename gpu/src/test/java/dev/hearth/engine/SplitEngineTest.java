package dev.hearth.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.device.DeviceChoice;
import dev.hearth.kv.KvPrecision;
import dev.hearth.model.Model;
import dev.hearth.model.ModelOptions;
import dev.hearth.testing.Fixtures;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The whole engine above a split forward pass (layer 0 on the CPU, layer 1 and the output on the Vulkan device, the
 * KV of each where it runs): four sequences sharing a prompt prefix, their prompts chunked (batches of 16 rows),
 * decoded together by continuous batching, the last three reusing the first one's cached prefix blocks, generate the
 * same greedy tokens as on the CPU alone. mixtral-fx-F32: float math on both sides, experts too.
 */
class SplitEngineTest {
    static final int CONTEXT = 128;

    @Test
    void batchingAndPrefixReuseThroughTheSplitGiveTheCpuTokens() throws Exception {
        int[] prefix = LocalKvEngineTest.tokens(40);
        List<int[]> prompts = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int[] suffix = {415 + 17 * i, 2936 - 3 * i, 9060 + i};
            prompts.add(IntStream.concat(IntStream.of(prefix), IntStream.of(suffix)).toArray());
        }
        List<List<Integer>> cpu = generate(DeviceChoice.DEFAULT, prompts, "all 2 layers on the CPU", false);
        List<List<Integer>> split = generate(DeviceChoice.parse("vulkan", "1"), prompts,
                "layer 0 cpu, layer 1 + output vulkan:0", true);
        assertThat(split).isEqualTo(cpu);
        assertThat(cpu).allSatisfy(tokens -> assertThat(tokens).hasSize(24));
    }

    private static List<List<Integer>> generate(DeviceChoice choice, List<int[]> prompts, String placement,
            boolean split) throws Exception {
        Model model = Model.load(Fixtures.model("mixtral-fx-F32.gguf"), new ModelOptions(2, 16));
        LocalModelRunner runner = new LocalModelRunner(model, CONTEXT, 4, KvPrecision.F32, 4 * CONTEXT / 16, choice);
        assertThat(runner.placement()).startsWith(placement);
        assertThat(runner.kvCache().hostLayers()).isEqualTo(split ? 1 : 2);
        try (Engine engine = new Engine(runner, EngineOptions.defaults(split ? "split" : "cpu"))) {
            List<List<Integer>> out = new ArrayList<>();
            out.add(EngineTest.tokens(engine.submit(GenerationRequest.greedyIds(prompts.getFirst(), 24, Set.of()))));
            List<GenerationHandle> handles = new ArrayList<>();
            for (int[] p : prompts.subList(1, prompts.size())) {
                handles.add(engine.submit(GenerationRequest.greedyIds(p, 24, Set.of())));
            }
            for (GenerationHandle h : handles) {
                out.add(EngineTest.tokens(h));
            }
            assertThat(engine.cachedPromptTokens()).as("prefix tokens reused").isGreaterThanOrEqualTo(3 * 32);
            return out;
        }
    }
}
