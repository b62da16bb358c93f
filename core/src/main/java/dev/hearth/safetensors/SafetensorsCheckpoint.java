package dev.hearth.safetensors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The weights of a Hugging Face model folder: {@code model.safetensors}, or the shards listed by
 * {@code model.safetensors.index.json} (its {@code weight_map} says which file holds each tensor, and every listed
 * tensor must be there), or failing both every {@code *.safetensors} file in the folder. All files stay mapped until
 * {@link #close()}.
 */
public final class SafetensorsCheckpoint implements AutoCloseable {
    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private final List<SafetensorsFile> files;
    private final Map<String, SafetensorsTensor> tensors;

    private SafetensorsCheckpoint(List<SafetensorsFile> files, Map<String, SafetensorsTensor> tensors) {
        this.files = files;
        this.tensors = tensors;
    }

    public static SafetensorsCheckpoint open(Path dir) throws IOException {
        Path index = dir.resolve(INDEX_FILE);
        List<SafetensorsFile> files = new ArrayList<>();
        Map<String, SafetensorsTensor> tensors = new LinkedHashMap<>();
        try {
            if (Files.isRegularFile(index)) {
                Map<String, String> weightMap = weightMap(index);
                Map<String, SafetensorsFile> byShard = new LinkedHashMap<>();
                for (String shard : new TreeSet<>(weightMap.values())) {
                    Path p = dir.resolve(shard).normalize();
                    if (!p.startsWith(dir.normalize()) || !Files.isRegularFile(p)) {
                        throw new SafetensorsException(index + ": shard '" + shard + "' is missing");
                    }
                    SafetensorsFile f = SafetensorsFile.open(p);
                    files.add(f);
                    byShard.put(shard, f);
                }
                for (Map.Entry<String, String> e : weightMap.entrySet()) {
                    SafetensorsTensor t = byShard.get(e.getValue()).tensors().get(e.getKey());
                    if (t == null) {
                        throw new SafetensorsException(index + ": tensor '" + e.getKey() + "' is listed in shard '"
                                + e.getValue() + "', which does not hold it");
                    }
                    tensors.put(e.getKey(), t);
                }
            } else {
                List<Path> paths;
                if (Files.isRegularFile(dir.resolve(SINGLE_FILE))) {
                    paths = List.of(dir.resolve(SINGLE_FILE));
                } else {
                    try (Stream<Path> s = Files.list(dir)) {
                        paths = s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
                    }
                }
                if (paths.isEmpty()) {
                    throw new NoSuchFileException(dir.resolve(SINGLE_FILE).toString(), null,
                            "no safetensors weights (neither " + SINGLE_FILE + " nor " + INDEX_FILE + ")");
                }
                for (Path p : paths) {
                    SafetensorsFile f = SafetensorsFile.open(p);
                    files.add(f);
                    for (SafetensorsTensor t : f.tensors().values()) {
                        SafetensorsTensor before = tensors.put(t.name(), t);
                        if (before != null) {
                            throw new SafetensorsException("tensor '" + t.name() + "' appears in both " + before.file()
                                    + " and " + t.file());
                        }
                    }
                }
            }
            return new SafetensorsCheckpoint(files, tensors);
        } catch (IOException | RuntimeException | Error e) {
            files.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    private static Map<String, String> weightMap(Path index) throws IOException {
        Object root = MiniJson.parse(Files.readString(index), index.toString());
        if (!(root instanceof Map<?, ?> m) || !(m.get("weight_map") instanceof Map<?, ?> wm)) {
            throw new SafetensorsException(index + ": no \"weight_map\" object");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : wm.entrySet()) {
            if (!(e.getValue() instanceof String shard)) {
                throw new SafetensorsException(index + ": weight_map entry '" + e.getKey() + "' is not a file name");
            }
            out.put((String) e.getKey(), shard);
        }
        return out;
    }

    /** All tensors by name, in file order. */
    public Map<String, SafetensorsTensor> tensors() {
        return java.util.Collections.unmodifiableMap(tensors);
    }

    /** The tensor, or a clear error naming it. */
    public SafetensorsTensor tensor(String name) {
        SafetensorsTensor t = tensors.get(name);
        if (t == null) {
            throw new SafetensorsException("tensor '" + name + "' is missing from the checkpoint");
        }
        return t;
    }

    public boolean has(String name) {
        return tensors.containsKey(name);
    }

    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }
}
