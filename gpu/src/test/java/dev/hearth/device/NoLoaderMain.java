package dev.hearth.device;

import dev.hearth.engine.LocalModelRunner;
import dev.hearth.kv.KvPrecision;
import dev.hearth.model.Batch;
import dev.hearth.model.Logits;
import java.nio.file.Path;

/** Run by {@link DevicePlacementTest} in a JVM without a Vulkan loader: lists, places and runs one forward pass. */
public final class NoLoaderMain {
    private NoLoaderMain() {
    }

    public static void main(String[] args) throws Exception {
        ComputeDevices.list().problems().forEach(p -> System.out.println("problem: " + p));
        try (LocalModelRunner runner = LocalModelRunner.load(Path.of(args[0]), 1, 8, 64, 1, KvPrecision.F32, 0, null,
                DeviceChoice.parse("vulkan", "all"))) {
            System.out.println("placement: " + runner.placement());
            Batch batch = runner.model().newBatch().add(1, 0, 0, true);
            Logits logits = runner.model().newLogits(1);
            runner.model().forward(batch, runner.kvCache(), logits);
            System.out.println(Float.isFinite(logits.get(0, 0)) ? "logits ok" : "logits bad");
        }
    }
}
