package dev.hearth.server.hub;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A download in progress, kept across crashes: {@code partial/KEY.part} holds the bytes received so far and
 * {@code partial/KEY.json} says what they are (repository, commit, file, expected sha256 and size), so a later
 * process resumes it with a Range request. KEY is the expected sha256 when the Hub gives one.
 */
record PartialDownload(Path data, Path sidecar, Target target) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What is being downloaded. {@code sha256} may be null for non-LFS files. */
    record Target(String repo, String commit, String path, String sha256, long size) {}

    static PartialDownload of(Path partialDir, Target target) {
        String key = target.sha256() != null ? target.sha256()
                : sha256Hex((target.repo() + "\n" + target.commit() + "\n" + target.path()).getBytes(
                        StandardCharsets.UTF_8));
        return new PartialDownload(partialDir.resolve(key + ".part"), partialDir.resolve(key + ".json"), target);
    }

    /**
     * Bytes already received that can be resumed: 0 when there is no partial file, when its sidecar describes a
     * different file, or when it is longer than the target (all discarded then).
     */
    long resumableBytes() throws IOException {
        Target recorded;
        try {
            recorded = JSON.readValue(Files.readAllBytes(sidecar), Target.class);
        } catch (NoSuchFileException e) {
            Files.deleteIfExists(data);
            return 0;
        } catch (IOException e) {
            discard();
            return 0;
        }
        boolean same = target.sha256() != null ? target.sha256().equals(recorded.sha256())
                && target.size() == recorded.size() : target.equals(recorded);
        if (!same || !Files.exists(data)) {
            discard();
            return 0;
        }
        long have = Files.size(data);
        if (have > target.size()) {
            discard();
            return 0;
        }
        return have;
    }

    /**
     * Takes the download's lock file ({@code partial/KEY.lock}) so two pulls, in one process or two, never write
     * the same partial file. Released and removed by closing.
     */
    AutoCloseable lock() throws IOException {
        Path lockFile = data.resolveSibling(data.getFileName().toString().replace(".part", ".lock"));
        java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(lockFile,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
        java.nio.channels.FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            ch.close();
            throw new HubException("another pull is downloading " + target.path() + " from " + target.repo()
                    + " right now (" + lockFile + "); wait for it to finish");
        }
        java.nio.channels.FileLock held = lock;
        return () -> {
            Files.deleteIfExists(lockFile);
            held.release();
            ch.close();
        };
    }

    /** Records the target before the first byte is written. */
    void begin() throws IOException {
        AtomicFiles.write(sidecar, JSON.writeValueAsBytes(target));
    }

    void discard() throws IOException {
        Files.deleteIfExists(data);
        Files.deleteIfExists(sidecar);
    }

    static String sha256Hex(byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
