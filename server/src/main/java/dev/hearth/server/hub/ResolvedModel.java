package dev.hearth.server.hub;

import java.nio.file.Path;
import java.util.List;

/**
 * A local model ready to load: {@code path} is the main GGUF (the first shard of a split model); {@code shards}
 * holds every file in order (a single element for unsplit models). Blobs are named by hash, so loaders of split
 * models must take the shard list from here rather than from the file name.
 */
public record ResolvedModel(ModelManifest manifest, Path path, List<Path> shards) {
    public ResolvedModel {
        shards = List.copyOf(shards);
    }
}
