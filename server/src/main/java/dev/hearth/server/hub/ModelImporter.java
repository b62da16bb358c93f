package dev.hearth.server.hub;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * {@code hearth import FILE NAME}: puts a GGUF file that is already on disk into the store, so that it is served,
 * shown, copied and removed by name like a pulled model, with no network. The file is hard-linked into the blob
 * store where the file system allows (no bytes copied; the blob shares the file's data, so edit neither in place),
 * else copied; either way it is hashed (sha256) on the way in, named by its hash, and the manifest is written last
 * and atomically. The name is checked as the store checks every name, the file's header as GGUF, before any byte
 * moves.
 */
public final class ModelImporter {
    private static final byte[] MAGIC = {'G', 'G', 'U', 'F'};

    /** How the file entered the blob store. */
    public enum Method { HARD_LINK, COPY, ALREADY_STORED }

    public record Imported(ModelManifest manifest, Method method) {}

    private final ModelStore store;

    public ModelImporter(ModelStore store) {
        this.store = store;
    }

    public Imported importFile(Path file, String name) throws IOException {
        ModelName target = ModelName.parse(name);
        if (store.find(target).isPresent()) {
            throw new HubException("model '" + target + "' already exists; remove it first with 'hearth rm " + target
                    + "', or import under another name");
        }
        Path source = file.toAbsolutePath().normalize();
        GgufSummary summary = checkGguf(source);
        Files.createDirectories(store.blobsDir());
        Files.createDirectories(store.partialDir());
        Path staging = store.partialDir().resolve("import-" + UUID.randomUUID() + ".gguf");
        Method method;
        String sha;
        try {
            try {
                Files.createLink(staging, source);
                method = Method.HARD_LINK;
                sha = sha256(staging, null);
            } catch (IOException | UnsupportedOperationException | SecurityException cannotLink) {
                // another file system, or links not allowed: copy while hashing
                Files.deleteIfExists(staging);
                method = Method.COPY;
                try (OutputStream out = Files.newOutputStream(staging, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE)) {
                    sha = sha256(source, out);
                }
                AtomicFiles.sync(staging);
            }
            long size = Files.size(staging);
            if (store.hasBlob(sha, size)) {
                method = Method.ALREADY_STORED;  // the same bytes are stored already (pulled or imported)
            } else {
                store.importBlob(staging, sha);
            }
            ModelManifest manifest = new ModelManifest(target.toString(), "file://" + source, "",
                    List.of(new ModelManifest.FileEntry(source.getFileName().toString(), sha, size)),
                    summary.quantization(), summary.architecture(), summary.parameterCount(),
                    Instant.now().toString());
            store.writeManifest(manifest);
            return new Imported(manifest, method);
        } finally {
            Files.deleteIfExists(staging);
        }
    }

    /** The file exists and is a readable GGUF; otherwise an error that names the file and what is wrong. */
    static GgufSummary checkGguf(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new HubException(file + " is a directory; give a .gguf file (for a Hugging Face checkpoint"
                    + " folder, convert it first with 'hearth quantize')");
        }
        if (!Files.isRegularFile(file)) {
            throw new HubException("file not found: " + file);
        }
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(4);
        } catch (NoSuchFileException e) {
            throw new HubException("file not found: " + file);
        }
        if (head.length < 4 || !java.util.Arrays.equals(head, MAGIC)) {
            throw new HubException(file + " is not a GGUF file (it does not start with the bytes 'GGUF'); hearth"
                    + " imports GGUF models (safetensors checkpoints: 'hearth quantize')");
        }
        try {
            return GgufSummary.read(List.of(file), file.getFileName().toString());
        } catch (IOException | RuntimeException e) {
            throw new HubException(file + " starts like GGUF but cannot be read: " + e.getMessage(), e);
        }
    }

    /** Hashes a file, copying it to {@code copyTo} on the way when that is not null. */
    private static String sha256(Path file, OutputStream copyTo) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buffer = new byte[1 << 20];
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                if (copyTo != null) {
                    copyTo.write(buffer, 0, n);
                }
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
