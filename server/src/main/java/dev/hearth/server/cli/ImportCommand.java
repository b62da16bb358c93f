package dev.hearth.server.cli;

import dev.hearth.server.hub.Bytes;
import dev.hearth.server.hub.ModelImporter;
import dev.hearth.server.hub.ModelManifest;
import dev.hearth.server.hub.ModelStore;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code hearth import FILE NAME}: a GGUF file already on disk joins the store under a name, with no network. */
@Command(name = "import", description = {"Put a GGUF file that is on disk into the local store under NAME (hard link",
        "where the file system allows, else a copy; stored by sha256), so that list, show, cp, rm, run and serve",
        "know it by name. Environment: HEARTH_HOME (store)."})
final class ImportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "A .gguf model file.")
    Path file;

    @Parameters(index = "1", paramLabel = "NAME", description = "Its name in the store, e.g. qwen3 or qwen2.5:7b.")
    String name;

    @Override
    public Integer call() throws Exception {
        ModelImporter.Imported imported = new ModelImporter(ModelStore.open()).importFile(file, name);
        ModelManifest m = imported.manifest();
        System.out.printf("imported %s as %s (%s, %s, %s; %s) sha256 %s%n", file, m.name(), m.architecture(),
                m.quantization(), Bytes.format(m.totalSize()), switch (imported.method()) {
                    case HARD_LINK -> "hard link, no copy";
                    case COPY -> "copied";
                    case ALREADY_STORED -> "the same file was stored already";
                }, m.files().getFirst().sha256());
        return 0;
    }
}
