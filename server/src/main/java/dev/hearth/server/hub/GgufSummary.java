package dev.hearth.server.hub;

import dev.hearth.gguf.GgufFile;
import dev.hearth.gguf.GgufKeys;
import dev.hearth.gguf.GgufMetadata;
import dev.hearth.gguf.GgufTensorInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * What the hub records about a GGUF model: architecture, parameter counts (total, and per token for
 * mixture-of-experts models), quantization. Split models: the first shard holds the metadata; tensors of all
 * shards are counted.
 */
public record GgufSummary(String architecture, long parameterCount, long activeParameterCount, String quantization,
                          ModelShape shape) {

    public static GgufSummary read(List<Path> shards, String fileNameHint) throws IOException {
        long total = 0;
        long expertParams = 0;
        GgufMetadata first = null;
        List<GgufTensorInfo> firstTensors = null;
        for (Path shard : shards) {
            try (GgufFile f = GgufFile.open(shard)) {
                if (first == null) {
                    first = f.metadata();
                    firstTensors = f.tensors();
                }
                total += parameters(f, false);
                expertParams += parameters(f, true);
            }
        }
        if (first == null) {
            throw new HubException("model has no files");
        }
        return of(first, firstTensors, total, expertParams, fileNameHint);
    }

    /** The summary of a single-file model already open. */
    public static GgufSummary of(GgufFile file, String fileNameHint) {
        return of(file.metadata(), file.tensors(), parameters(file, false), parameters(file, true), fileNameHint);
    }

    private static long parameters(GgufFile f, boolean expertsOnly) {
        long n = 0;
        for (GgufTensorInfo t : f.tensors()) {
            if (!expertsOnly || t.name().contains("_exps.")) {
                n += t.elementCount();
            }
        }
        return n;
    }

    private static GgufSummary of(GgufMetadata first, List<GgufTensorInfo> firstTensors, long total,
            long expertParams, String fileNameHint) {
        String arch = first.getString(GgufKeys.GENERAL_ARCHITECTURE, "unknown");
        long active = total;
        int experts = first.getInt(GgufKeys.expertCount(arch), 0, 1 << 16, 0);
        int used = first.getInt(GgufKeys.expertUsedCount(arch), 0, 1 << 16, 0);
        if (experts > 0 && used > 0 && used < experts) {
            active = total - expertParams + expertParams * used / experts;
        }
        String quant = first.has(GgufKeys.GENERAL_FILE_TYPE)
                ? Quantizations.fromFileType(first.getLong(GgufKeys.GENERAL_FILE_TYPE)) : null;
        if (quant == null && fileNameHint != null) {
            quant = Quantizations.fromFileName(fileNameHint);
        }
        if (quant == null) {
            quant = Quantizations.fromDominantType(firstTensors);
        }
        ModelShape shape = null;
        try {
            shape = ModelShape.fromGguf(first, total, active);
        } catch (RuntimeException e) {
            // a file without attention metadata (e.g. an embedding-only test file) still stores
        }
        return new GgufSummary(arch, total, active, quant, shape);
    }
}
