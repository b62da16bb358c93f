package dev.hearth.server.local;

import dev.hearth.server.backend.PullPermission;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * What {@code serve --model} names: {@code PATH[=ALIAS]} of a GGUF file, or a model in the local store. Apart from
 * {@link ModelLoader} (which loads a file) so that the loader and the store it falls back to do not name each other.
 */
public final class ModelSpec {
    private ModelSpec() {}

    /**
     * Parses {@code PATH[=alias]}: the alias, or else the file name without {@code .gguf}, is the name clients use.
     */
    public static Map.Entry<Path, String> parse(String spec) {
        int eq = spec.lastIndexOf('=');
        Path path = Path.of(eq < 0 ? spec : spec.substring(0, eq));
        String alias = eq < 0 ? null : spec.substring(eq + 1);
        if (alias != null && alias.isBlank()) {
            throw new IllegalArgumentException("--model " + spec + ": the alias after '=' is empty");
        }
        String name = alias != null ? alias : path.getFileName().toString().replaceFirst("(?i)\\.gguf$", "");
        return Map.entry(path, name);
    }

    /**
     * Loads {@code --model} as given: {@code PATH[=ALIAS]} of a GGUF file, or else a model name in the local store
     * (resolved by {@code store}); either way checked against free memory by {@code store}'s planner.
     */
    public static LoadedModel load(String spec, LoadOptions options, StoreModelSource store,
            long bytesInUse) throws IOException {
        Map.Entry<Path, String> parsed = parse(spec);
        if (Files.isRegularFile(parsed.getKey()) || store == null) {
            return store != null ? store.loadFile(parsed.getKey(), parsed.getValue(), bytesInUse)
                    : ModelLoader.load(parsed.getKey(), parsed.getValue(), options);
        }
        String name = spec.contains("=") ? spec.substring(0, spec.lastIndexOf('=')) : spec;
        if (spec.contains("=")) {
            throw new IllegalArgumentException("--model " + spec + ": '" + name + "' is neither a file nor can a"
                    + " stored model take an alias; give a file path, or the store name alone");
        }
        return store.load(name, bytesInUse, PullPermission.ALLOWED);  // the operator's own --model
    }
}
