package dev.hearth.server.hub;

import java.util.List;

/**
 * What the store knows about one local model; written as JSON after all its blobs are in place, so a visible
 * manifest always means a complete model. {@code files} are in load order: for split GGUFs the first shard first.
 *
 * @param name           local name, {@code base:tag}
 * @param source         where it came from, e.g. {@code hf://bartowski/Qwen2.5-7B-Instruct-GGUF}
 * @param revision       the commit the files were taken from
 * @param files          the model's files, in load order
 * @param quantization   e.g. {@code Q4_K_M} (from the file name or GGUF file type)
 * @param architecture   {@code general.architecture}
 * @param parameterCount number of weights, summed over the tensor directory
 * @param createdAt      ISO-8601 instant the manifest was written
 */
public record ModelManifest(String name, String source, String revision, List<FileEntry> files, String quantization,
                            String architecture, long parameterCount, String createdAt) {

    /** One stored file: its name in the source repository, its content hash (the blob's name) and size. */
    public record FileEntry(String path, String sha256, long size) {}

    public ModelManifest {
        files = List.copyOf(files);
    }

    public long totalSize() {
        long total = 0;
        for (FileEntry f : files) {
            total += f.size();
        }
        return total;
    }

    public ModelManifest withName(String newName) {
        return new ModelManifest(newName, source, revision, files, quantization, architecture, parameterCount,
                createdAt);
    }
}
