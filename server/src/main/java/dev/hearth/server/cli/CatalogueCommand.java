package dev.hearth.server.cli;

import dev.hearth.server.hub.Bytes;
import dev.hearth.server.hub.Catalogue;
import dev.hearth.server.hub.CatalogueEntry;
import dev.hearth.kv.KvPrecision;
import dev.hearth.server.hub.MachineProfile;
import dev.hearth.server.hub.MemoryPlan;
import dev.hearth.server.hub.PlanRequest;
import dev.hearth.server.hub.Planner;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hearth catalogue [WORD]}: the built-in models, their sizes, and which fit this machine. */
@Command(name = "catalogue", aliases = "catalog", description = "List the built-in models with sizes and what"
        + " fits this machine (8192 tokens of context).")
final class CatalogueCommand implements Callable<Integer> {
    @Parameters(paramLabel = "WORD", arity = "0..1", description = "Only models whose name or repository has it.")
    String word;

    @Option(names = "--ram", paramLabel = "SIZE", description = "Memory to plan for (default: this machine's).")
    String ram;

    @Override
    public Integer call() {
        List<CatalogueEntry> entries = Catalogue.search(word);
        if (entries.isEmpty()) {
            System.out.println("no catalogue model matches '" + word + "'");
            return 1;
        }
        MachineProfile machine = MachineProfile.unmeasured();
        long memory = ram == null ? machine.memoryBytes() : dev.hearth.server.hub.Bytes.parse(ram);
        Planner planner = new Planner(machine.withMemory(memory));
        PlanRequest req = new PlanRequest(memory, PlanRequest.DEFAULT_CONTEXT, 1, KvPrecision.F16);
        System.out.printf("%-18s %-8s %-44s %9s %9s %9s  %s%n", "NAME", "PARAMS", "REPOSITORY", "Q4_K_M", "Q5_K_M",
                "Q8_0", "FITS " + Bytes.format(memory));
        for (CatalogueEntry e : entries) {
            StringBuilder fits = new StringBuilder();
            String[] sizes = new String[3];
            List<String> std = List.of("Q4_K_M", "Q5_K_M", "Q8_0");
            for (int i = 0; i < std.size(); i++) {
                String q = std.get(i);
                if (!e.publishes(q)) {
                    sizes[i] = "-";
                    continue;
                }
                sizes[i] = Bytes.format(e.estimatedBytes(q));
                MemoryPlan p = planner.plan(e.name(), q, e.shape(), e.estimatedBytes(q), req);
                if (p.fits()) {
                    fits.append(fits.isEmpty() ? "" : " ").append(q.toLowerCase(Locale.ROOT));
                }
            }
            System.out.printf("%-18s %-8s %-44s %9s %9s %9s  %s%n", e.name(), params(e.parameterCount()), e.repo(),
                    sizes[0], sizes[1], sizes[2], fits.isEmpty() ? "no" : fits);
        }
        System.out.println("sizes are estimates from the parameter count; pull with 'hearth pull NAME' or"
                + " 'hearth pull NAME-q8_0'");
        return 0;
    }

    static String params(long n) {
        if (n >= 1_000_000_000L) {
            return String.format(Locale.ROOT, "%.1fB", n / 1e9);
        }
        return String.format(Locale.ROOT, "%.0fM", n / 1e6);
    }
}
