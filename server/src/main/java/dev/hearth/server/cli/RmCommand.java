package dev.hearth.server.cli;

import dev.hearth.server.hub.Bytes;
import dev.hearth.server.hub.ModelStore;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code hearth rm NAME...}: removes models (and repack cache entries whose model file is gone); files shared with another name stay. */
@Command(name = "rm", description = "Remove local models (files another name still uses are kept).")
final class RmCommand implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", arity = "1..*", description = "Models to remove.")
    List<String> names;

    @Override
    public Integer call() throws Exception {
        ModelStore store = ModelStore.open();
        for (String name : names) {
            long freed = store.remove(name);
            System.out.printf("removed %s (%s freed)%n", name, Bytes.format(freed));
        }
        RepackCachePruning.prune(System.out);  // the removed models' repacked weights, where their files went
        return 0;
    }
}
