package dev.hearth.server.hub;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The local model store:
 * <pre>
 *   HOME/blobs/sha256-HEX            file contents, named by hash, immutable once moved in
 *   HOME/manifests/BASE/TAG.json     one manifest per model name, written last and atomically
 *   HOME/partial/                    downloads in progress (see {@link PartialDownload})
 * </pre>
 * A model becomes visible only when its manifest appears, after all its blobs are complete and verified, so an
 * interrupted pull never shows a half model and never touches another model's files.
 */
public final class ModelStore implements ModelResolver {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path home;

    public ModelStore(Path home) {
        this.home = home.toAbsolutePath();
    }

    /** The store at {@link HearthHome#resolve()}. */
    public static ModelStore open() {
        return new ModelStore(HearthHome.resolve());
    }

    public Path home() {
        return home;
    }

    public Path blobsDir() {
        return home.resolve("blobs");
    }

    public Path manifestsDir() {
        return home.resolve("manifests");
    }

    public Path partialDir() {
        return home.resolve("partial");
    }

    public Path blobPath(String sha256) {
        if (!SHA256.matcher(sha256).matches()) {
            throw new HubException("invalid sha256 '" + sha256 + "': expected 64 lowercase hex digits");
        }
        return blobsDir().resolve("sha256-" + sha256);
    }

    public boolean hasBlob(String sha256, long size) {
        Path p = blobPath(sha256);
        try {
            return Files.isRegularFile(p) && Files.size(p) == size;
        } catch (IOException e) {
            return false;
        }
    }

    /** Moves a complete, verified and synced file into the blob store under its hash. */
    public Path importBlob(Path verifiedFile, String sha256) throws IOException {
        Path target = blobPath(sha256);
        Files.createDirectories(target.getParent());
        AtomicFiles.move(verifiedFile, target);
        return target;
    }

    private Path manifestPath(ModelName name) {
        return manifestsDir().resolve(name.base()).resolve(name.tag() + ".json");
    }

    public Optional<ModelManifest> find(String name) {
        return find(ModelName.parse(name));
    }

    public Optional<ModelManifest> find(ModelName name) {
        Path p = manifestPath(name);
        try {
            return Optional.of(JSON.readValue(Files.readAllBytes(p), ModelManifest.class));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new HubException("cannot read manifest " + p + ": " + e.getMessage(), e);
        }
    }

    public ModelManifest require(String name) {
        return find(name).orElseThrow(() -> new ModelNotFoundException(ModelName.parse(name).toString()));
    }

    /** Writes a manifest atomically; every blob it names must already be in the store. */
    public void writeManifest(ModelManifest manifest) throws IOException {
        ModelName name = ModelName.parse(manifest.name());
        for (ModelManifest.FileEntry f : manifest.files()) {
            if (!hasBlob(f.sha256(), f.size())) {
                throw new HubException("cannot write manifest for '" + name + "': blob for " + f.path() + " (sha256 "
                        + f.sha256() + ", " + f.size() + " bytes) is not in the store");
            }
        }
        AtomicFiles.write(manifestPath(name), JSON.writeValueAsBytes(manifest.withName(name.toString())));
    }

    /** All local models, sorted by name; unreadable manifests are skipped. */
    public List<ModelManifest> list() {
        List<ModelManifest> out = new ArrayList<>();
        Path dir = manifestsDir();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> bases = Files.newDirectoryStream(dir)) {
            for (Path base : bases) {
                if (!Files.isDirectory(base)) {
                    continue;
                }
                try (DirectoryStream<Path> tags = Files.newDirectoryStream(base, "*.json")) {
                    for (Path tag : tags) {
                        if (tag.getFileName().toString().startsWith(".")) {
                            continue;
                        }
                        try {
                            out.add(JSON.readValue(Files.readAllBytes(tag), ModelManifest.class));
                        } catch (IOException e) {
                            // a damaged manifest hides only its own model
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.sort(Comparator.comparing(ModelManifest::name));
        return out;
    }

    /** Adds a second name for a model; no bytes are copied (blobs are shared). */
    public ModelManifest copy(String from, String to) throws IOException {
        ModelManifest source = require(from);
        ModelName target = ModelName.parse(to);
        if (find(target).isPresent()) {
            throw new HubException("model '" + target + "' already exists; remove it first with 'hearth rm " + target
                    + "'");
        }
        ModelManifest copy = source.withName(target.toString());
        writeManifest(copy);
        return copy;
    }

    /** Removes a model name, then deletes blobs no other model uses. Returns the bytes freed. */
    public long remove(String name) throws IOException {
        ModelName parsed = ModelName.parse(name);
        ModelManifest manifest = find(parsed).orElseThrow(() -> new ModelNotFoundException(parsed.toString()));
        Path p = manifestPath(parsed);
        Files.delete(p);
        AtomicFiles.syncDirectory(p.getParent());
        try {
            Files.deleteIfExists(p.getParent());
        } catch (IOException ignored) {
            // other tags remain
        }
        Set<String> inUse = new HashSet<>();
        for (ModelManifest m : list()) {
            m.files().forEach(f -> inUse.add(f.sha256()));
        }
        long freed = 0;
        for (ModelManifest.FileEntry f : manifest.files()) {
            if (!inUse.contains(f.sha256())) {
                Path blob = blobPath(f.sha256());
                if (Files.deleteIfExists(blob)) {
                    freed += f.size();
                }
            }
        }
        return freed;
    }

    @Override
    public ResolvedModel resolve(String name) {
        ModelManifest m = require(name);
        if (m.files().isEmpty()) {
            throw new HubException("model '" + m.name() + "' has no files in its manifest");
        }
        List<Path> shards = new ArrayList<>();
        for (ModelManifest.FileEntry f : m.files()) {
            Path blob = blobPath(f.sha256());
            if (!Files.isRegularFile(blob)) {
                throw new HubException("model '" + m.name() + "' is damaged: file " + f.path() + " (blob sha256-"
                        + f.sha256() + ") is missing; pull it again");
            }
            shards.add(blob);
        }
        return new ResolvedModel(m, shards.getFirst(), shards);
    }
}
