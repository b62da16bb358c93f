package dev.hearth.device;

import dev.hearth.engine.LocalModelRunner;
import dev.hearth.kv.KvPrecision;
import dev.hearth.model.Batch;
import dev.hearth.model.Logits;
import java.nio.file.Path;

/**
 * Run by {@link VulkanExitTest}: loads a model on Vulkan and keeps a daemon thread running forward passes on it,
 * never closing the model, so that the JVM's exit (main returning: {@code finish}; SIGTERM: {@code term}) finds a
 * device busy and open, as a bench or run ends. {@code quick-finish} and {@code quick-term} do the same under the
 * quick exit ({@code -Dhearth.vulkan.quickExit=true}), with a serve-like shutdown task and unflushed output.
 */
public final class VulkanExitMain {
    private VulkanExitMain() {
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
        boolean quick = args[1].startsWith("quick");
        if (quick) {
            // a serve-like shutdown task (drain, ledger flush) that must finish before the quick exit
            ProcessExit.addShutdownHook("serve-like", () -> {
                sleep(500);
                System.err.println("drained");  // stderr: a println on stdout would flush the tail too
            });
            // a plain JVM hook: the quick exit from main skips the JVM's hooks, so this never prints there
            Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("jvm hook ran")));
        }
        System.out.println("busy");
        if (quick) {
            System.out.print("tail-unflushed");  // no newline: stays in System.out's buffer until a flush
        }
        if (args[1].endsWith("term")) {
            Thread.sleep(Long.MAX_VALUE);
        }
        if (args[1].equals("quick-finish")) {
            ProcessExit.exit(7);  // as Main.main does with run()'s status
        }
    }
}
