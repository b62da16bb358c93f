package dev.hearth.server.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.hearth.engine.LocalModelRunner;
import dev.hearth.gguf.GgufFile;
import dev.hearth.gguf.GgufTensorInfo;
import dev.hearth.kv.KvPrecision;
import dev.hearth.testing.Fixtures;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The planner's memory estimate of a file at hand ({@link Planner#planFile}) against what the engine allocates when it
 * loads that file with the same request: the KV pool to the byte, and the weights the kernels hold (repacked matrices,
 * from memory here, plus the small tensors) within 2%. Compute buffers and the runtime are not measured here (the
 * serve log's "memory for" line compares the total with the resident set).
 */
class PlanAgainstLoadTest {
    private static final Path MODEL = Fixtures.model("qwen2-kq-fx-Q4_K_M.gguf");

    @Test
    void kvPoolAndWeightsMatchTheLoadedEngine() throws Exception {
        int context = 256;
        int parallel = 3;
        MemoryPlan plan = new Planner(new MachineProfile(16L << 30, 2, 20e9, 1e11))
                .planFile("fx", MODEL, new PlanRequest(16L << 30, context, parallel, KvPrecision.Q8_0));
        long smallTensors = 0;
        try (GgufFile file = GgufFile.open(MODEL)) {
            for (GgufTensorInfo t : file.tensors()) {
                smallTensors += t.shape().length < 2 ? t.byteSize() : 0;
            }
        }
        try (LocalModelRunner runner = LocalModelRunner.load(MODEL, 2, LocalModelRunner.DEFAULT_MAX_BATCH_TOKENS, context, parallel, KvPrecision.Q8_0)) {
            assertThat(runner.kvCacheBytes()).isPositive().isEqualTo(plan.kvCacheBytes());
            long plannedMatrices = plan.weightBytes() + plan.repackGrowthBytes() - smallTensors;
            if (LocalModelRunner.nativeKernels()) {  // every matmul type of this file is repacked for them
                assertThat(runner.repackedBytes()).isPositive();
                assertThat((double) plannedMatrices).isCloseTo(runner.repackedBytes(),
                        within(0.02 * runner.repackedBytes()));
                assertThat(plan.repackGrowthBytes()).isPositive();
            } else {
                assertThat(runner.repackedBytes()).isZero();
                assertThat(plan.repackGrowthBytes()).isZero();
            }
        }
    }
}
