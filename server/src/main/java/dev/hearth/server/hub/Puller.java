package dev.hearth.server.hub;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code hearth pull}: resolves a reference to Hub files, checks disk space, downloads each file (resuming what an
 * earlier, interrupted pull left), verifies hashes, moves the files into the blob store, reads the GGUF header for
 * architecture, parameter count and quantization, and writes the manifest last.
 */
public final class Puller {
    /** Space kept free beyond the download itself. */
    static final long DISK_MARGIN = 256L << 20;

    private final ModelStore store;
    private final HfClient client;
    private final java.util.function.ToLongFunction<Path> freeSpace;

    public Puller(ModelStore store, HfClient client) {
        this(store, client, Puller::usableSpace);
    }

    /** With a free-space probe other than the file store's (tests). */
    Puller(ModelStore store, HfClient client, java.util.function.ToLongFunction<Path> freeSpace) {
        this.store = store;
        this.client = client;
        this.freeSpace = freeSpace;
    }

    private static long usableSpace(Path dir) {
        try {
            return Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) {
            return Long.MAX_VALUE; // cannot tell: let the write itself fail cleanly
        }
    }

    /** A puller for the default store and the Hub settings from the environment. */
    public static Puller fromEnvironment() {
        return new Puller(ModelStore.open(), new HfClient(HubSettings.fromEnvironment()));
    }

    public ModelManifest pull(String ref, PullListener listener) throws IOException {
        return pull(PullRef.parse(ref), listener);
    }

    public ModelManifest pull(PullRef ref, PullListener listener) throws IOException {
        listener.onEvent(new PullEvent.Resolving(ref.localName(), ref.repo(), ref.revision(),
                client.settings().describeEndpoint()));
        HfRepoInfo info = client.repoInfo(ref.repo(), ref.revision(), listener);
        List<HfRepoFile> files = FileSelector.select(ref, info.files());
        long total = files.stream().mapToLong(HfRepoFile::size).sum();
        listener.onEvent(new PullEvent.Resolved(ref.repo(), info.commit(), files, total));
        Files.createDirectories(store.partialDir());
        Files.createDirectories(store.blobsDir());
        checkDiskSpace(info, files);

        List<ModelManifest.FileEntry> entries = new ArrayList<>();
        List<Path> blobs = new ArrayList<>();
        long before = 0;
        FileDownloader downloader = new FileDownloader(client, listener);
        for (HfRepoFile listed : files) {
            HfRepoFile f = listed;
            if (f.sha256() != null && store.hasBlob(f.sha256(), f.size())) {
                listener.onEvent(new PullEvent.FileDone(f.path(), f.sha256(), true));
            } else {
                PartialDownload partial = PartialDownload.of(store.partialDir(),
                        new PartialDownload.Target(ref.repo(), info.commit(), f.path(), f.sha256(), f.size()));
                long offset = before;
                String sha;
                try (AutoCloseable lock = partial.lock()) {
                    if (f.sha256() != null && store.hasBlob(f.sha256(), f.size())) {
                        sha = f.sha256(); // another pull finished it while we waited
                    } else {
                        sha = downloader.download(partial, bytes -> listener.onEvent(
                                new PullEvent.Progress(listed.path(), bytes, listed.size(), offset + bytes, total)));
                        store.importBlob(partial.data(), sha);
                        Files.deleteIfExists(partial.sidecar());
                    }
                } catch (IOException | RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IOException(e);
                }
                listener.onEvent(new PullEvent.FileDone(f.path(), sha, false));
                f = new HfRepoFile(f.path(), f.size(), sha);
            }
            entries.add(new ModelManifest.FileEntry(f.path(), f.sha256(), f.size()));
            blobs.add(store.blobPath(f.sha256()));
            before += f.size();
        }

        GgufSummary summary;
        try {
            summary = GgufSummary.read(blobs, files.getFirst().fileName());
        } catch (RuntimeException e) {
            throw new HubException("downloaded " + files.getFirst().path() + " from " + ref.repo()
                    + " but it is not a readable GGUF file: " + e.getMessage(), e);
        }
        String quant = ref.quant() != null ? ref.quant() : summary.quantization();
        ModelManifest manifest = new ModelManifest(ref.localName(), ref.source(), info.commit(), entries, quant,
                summary.architecture(), summary.parameterCount(), Instant.now().toString());
        ModelManifest previous = store.find(ref.localName()).orElse(null);
        store.writeManifest(manifest);
        if (previous != null) {
            dropUnreferenced(previous);
        }
        listener.onEvent(new PullEvent.Done(manifest));
        return manifest;
    }

    private void checkDiskSpace(HfRepoInfo info, List<HfRepoFile> files) throws IOException {
        long needed = 0;
        for (HfRepoFile listed : files) {
            HfRepoFile f = listed;
            if (f.sha256() != null && store.hasBlob(f.sha256(), f.size())) {
                continue;
            }
            PartialDownload p = PartialDownload.of(store.partialDir(),
                    new PartialDownload.Target(info.repo(), info.commit(), f.path(), f.sha256(), f.size()));
            long have = Files.exists(p.data()) ? Files.size(p.data()) : 0;
            needed += Math.max(0, f.size() - have);
        }
        long free = freeSpace.applyAsLong(store.partialDir());
        if (needed + DISK_MARGIN > free) {
            throw new HubException(String.format("not enough disk space in %s: the download needs %s (plus %s"
                    + " margin), %s is free", store.home(), Bytes.format(needed), Bytes.format(DISK_MARGIN),
                    Bytes.format(free)));
        }
    }

    /** After a re-pull replaced a model, deletes the old files no model refers to any more. */
    private void dropUnreferenced(ModelManifest previous) throws IOException {
        Set<String> inUse = new HashSet<>();
        for (ModelManifest m : store.list()) {
            m.files().forEach(f -> inUse.add(f.sha256()));
        }
        for (ModelManifest.FileEntry f : previous.files()) {
            if (!inUse.contains(f.sha256())) {
                Files.deleteIfExists(store.blobPath(f.sha256()));
            }
        }
    }
}
