package dev.hearth.server.local;

import dev.hearth.server.hub.GgufSummary;
import dev.hearth.server.hub.MachineProfile;
import dev.hearth.server.hub.MemoryPlan;
import dev.hearth.server.hub.PlanRequest;
import dev.hearth.server.hub.Planner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Whether a configured local model can be loaded at all: stored, and fitting this machine's memory by the hub's
 * {@link Planner}. A model that cannot is not loaded; its routes go straight to their next target.
 */
public final class LocalModelCheck {
    private LocalModelCheck() {}

    /** Null when the model can be loaded, else the reason ({@code not_stored}, {@code does_not_fit}) and why. */
    public static Refusal check(Path path, LoadOptions options, MachineProfile machine) {
        if (!Files.isRegularFile(path)) {
            return new Refusal("not_stored", "the file " + path + " does not exist");
        }
        try {
            GgufSummary s = GgufSummary.read(List.of(path), path.getFileName().toString());
            if (s.shape() == null) {
                return null; // the planner cannot judge it; loading will tell
            }
            int context = options.contextLength() > 0 ? options.contextLength() : Math.min(4096, s.shape().contextLength());
            MemoryPlan plan = new Planner(machine).planFile(path.getFileName().toString(), path, new PlanRequest(
                    machine.memoryBytes(), Math.max(1, context), options.parallel(), options.kvPrecision(),
                    options.device()));
            return plan.verdict() == MemoryPlan.Verdict.DOES_NOT_FIT ? new Refusal("does_not_fit", plan.describe())
                    : null;
        } catch (IOException | RuntimeException e) {
            return new Refusal("not_stored", "the file " + path + " cannot be read as GGUF: " + e.getMessage());
        }
    }

    public record Refusal(String reason, String detail) {}
}
