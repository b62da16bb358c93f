package dev.hearth.device;

import dev.hearth.engine.LocalModelRunner;
import dev.hearth.kv.KvPrecision;
import dev.hearth.model.Batch;
import dev.hearth.model.Logits;
import java.nio.file.Path;

/**
 * Run by {@link VulkanExitTest}: loads a model on Vulkan and keeps a daemon thread running forward passes on it,
 * never closing the model, so that the JVM's exit (main returning: {@code finish}; SIGTERM: {@code term}) finds a
 * device busy and open, as a bench or run ends.
 */
public final class VulkanExitMain {
    private VulkanExitMain() {
    }

    public static void main(String[] args) throws Exception {
        LocalModelRunner runner = LocalModelRunner.load(Path.of(args[0]), 1, 8, 64, 1, KvPrecision.F16, 0, null,
                DeviceChoice.parse("vulkan", "all"));
        System.out.println("placement: " + runner.placement());
        Thread worker = new Thread(() -> {
            Logits logits = runner.model().newLogits(1);
            try {
                for (long i = 0; ; i++) {
                    Batch batch = runner.model().newBatch().add(1, (int) (i % 8), 0, true);
                    runner.model().forward(batch, runner.kvCache(), logits);
                }
            } catch (IllegalStateException e) {
                System.out.println("worker stopped: " + e.getMessage());  // the device closed at exit
            }
        }, "forward-loop");
        worker.setDaemon(true);
        worker.start();
        Thread.sleep(1500);
        System.out.println("busy");
        if (args[1].equals("term")) {
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
