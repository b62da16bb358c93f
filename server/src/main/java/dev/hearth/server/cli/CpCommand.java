package dev.hearth.server.cli;

import dev.hearth.server.hub.ModelStore;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code hearth cp NAME ALIAS}: a second name for a model, sharing its files. */
@Command(name = "cp", description = "Give a model another name (no bytes are copied).")
final class CpCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME")
    String source;

    @Parameters(index = "1", paramLabel = "ALIAS")
    String alias;

    @Override
    public Integer call() throws Exception {
        var copy = ModelStore.open().copy(source, alias);
        System.out.printf("copied %s to %s%n", source, copy.name());
        return 0;
    }
}
