package dev.hearth.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.gguf.GgmlType;
import dev.hearth.gguf.GgufFile;
import dev.hearth.gguf.GgufKeys;
import dev.hearth.gguf.GgufTensorInfo;
import dev.hearth.gguf.GgufValue;
import dev.hearth.server.hub.Bytes;
import dev.hearth.server.hub.ModelManifest;
import dev.hearth.server.hub.ModelShape;
import dev.hearth.server.hub.ModelStore;
import dev.hearth.server.hub.ResolvedModel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hearth show NAME}: a model's manifest, GGUF metadata, tensor shapes and types, chat template. */
@Command(name = "show", description = "Show a local model: metadata, tensor shapes and types, chat template.")
final class ShowCommand implements Callable<Integer> {
    @Parameters(paramLabel = "NAME")
    String name;

    @Option(names = "--tensors", description = "List every tensor (default: the first 12).")
    boolean allTensors;

    @Option(names = "--json", description = "Print the manifest and metadata as JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        ResolvedModel model = ModelStore.open().resolve(name);
        ModelManifest m = model.manifest();
        Map<GgmlType, long[]> types = new EnumMap<>(GgmlType.class); // count, bytes
        try (GgufFile first = GgufFile.open(model.path())) {
            if (json) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("manifest", m);
                Map<String, Object> md = new LinkedHashMap<>();
                first.metadata().asMap().forEach((k, v) -> md.put(k, printable(v)));
                out.put("metadata", md);
                System.out.println(new ObjectMapper().writeValueAsString(out));
                return 0;
            }
            System.out.printf("name:          %s%n", m.name());
            System.out.printf("source:        %s%s%n", m.source(), m.revision() == null || m.revision().isEmpty() ? ""
                    : "@" + m.revision());
            System.out.printf("architecture:  %s%n", m.architecture());
            System.out.printf("parameters:    %s (%,d)%n", CatalogueCommand.params(m.parameterCount()),
                    m.parameterCount());
            System.out.printf("quantization:  %s%n", m.quantization());
            System.out.printf("size:          %s in %d file(s)%n", Bytes.format(m.totalSize()), m.files().size());
            for (ModelManifest.FileEntry f : m.files()) {
                System.out.printf("  %s  sha256:%s%n", f.path(), f.sha256());
            }
            try {
                ModelShape s = ModelShape.fromGguf(first.metadata(), m.parameterCount(), m.parameterCount());
                System.out.printf("shape:         %d layers, dim %d, %d KV heads x %d, context %d, vocabulary %d%n",
                        s.layers(), s.dim(), s.keyValueHeads(), s.headDim(), s.contextLength(), s.vocabSize());
            } catch (RuntimeException e) {
                System.out.printf("shape:         (incomplete metadata: %s)%n", e.getMessage());
            }
            System.out.println("metadata:");
            first.metadata().asMap().forEach((k, v) -> {
                if (!k.equals(GgufKeys.TOKENIZER_CHAT_TEMPLATE)) {
                    System.out.printf("  %-44s %s%n", k, printable(v));
                }
            });
            int shown = 0;
            System.out.println("tensors:");
            for (Path shard : model.shards()) {
                try (GgufFile f = shard.equals(model.path()) ? null : GgufFile.open(shard)) {
                    GgufFile g = f == null ? first : f;
                    for (GgufTensorInfo t : g.tensors()) {
                        long[] c = types.computeIfAbsent(t.type(), k -> new long[2]);
                        c[0]++;
                        c[1] += t.byteSize();
                        if (allTensors || shown < 12) {
                            System.out.printf("  %-36s %-6s %s%n", t.name(), t.type(), Arrays.toString(t.shape()));
                            shown++;
                        }
                    }
                }
            }
            long total = types.values().stream().mapToLong(c -> c[0]).sum();
            if (shown < total) {
                System.out.printf("  ... %d more (--tensors lists all)%n", total - shown);
            }
            System.out.println("tensor types:");
            types.forEach((t, c) -> System.out.printf("  %-6s %5d tensors  %s%n", t, c[0], Bytes.format(c[1])));
            String template = first.metadata().getString(GgufKeys.TOKENIZER_CHAT_TEMPLATE, null);
            System.out.println("chat template:" + (template == null ? " (none)" : ""));
            if (template != null) {
                System.out.println(template);
            }
        }
        return 0;
    }

    private static Object printable(GgufValue v) {
        if (v.value() instanceof GgufValue.GgufArray a) {
            return "[" + a.elementType() + " x " + a.length() + "]";
        }
        return v.value();
    }
}
