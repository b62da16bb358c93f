package dev.hearth.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.server.hub.Bytes;
import dev.hearth.server.hub.ModelManifest;
import dev.hearth.server.hub.ModelStore;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hearth list}: the models in the local store. */
@Command(name = "list", aliases = "ls", description = "List local models.")
final class ListCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        ModelStore store = ModelStore.open();
        List<ModelManifest> models = store.list();
        if (json) {
            System.out.println(new ObjectMapper().writeValueAsString(models));
            return 0;
        }
        if (models.isEmpty()) {
            System.out.println("no local models in " + store.home() + "; try 'hearth pull qwen2.5:0.5b'");
            return 0;
        }
        System.out.printf("%-32s %-8s %-8s %-10s %10s  %s%n", "NAME", "QUANT", "ARCH", "PARAMS", "SIZE", "PULLED");
        for (ModelManifest m : models) {
            System.out.printf("%-32s %-8s %-8s %-10s %10s  %s%n", m.name(), m.quantization(), m.architecture(),
                    CatalogueCommand.params(m.parameterCount()), Bytes.format(m.totalSize()),
                    m.createdAt().length() >= 16 ? m.createdAt().substring(0, 16).replace('T', ' ') : m.createdAt());
        }
        return 0;
    }
}
