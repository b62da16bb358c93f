package dev.hearth.server.hub;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Downloads one file into its {@link PartialDownload}, resuming with HTTP Range, retrying dropped connections and
 * server errors with exponential backoff, and verifying the SHA-256 before handing back the finished file.
 */
final class FileDownloader {
    /** Receives byte counts (the file's bytes so far). */
    interface Progress {
        void bytes(long fileBytes);
    }

    private static final int BUFFER = 64 * 1024;
    private static final long REPORT_EVERY = 64 * 1024;
    private static final long MAX_BACKOFF_MILLIS = 30_000;

    private final HfClient client;
    private final PullListener listener;
    /** The X-Linked-Etag of the last response: the expected hash when the listing had none (non-LFS listing). */
    private String linkedSha256;

    FileDownloader(HfClient client, PullListener listener) {
        this.client = client;
        this.listener = listener;
    }

    /** Returns the verified sha256; the finished bytes are in {@code partial.data()}, synced. */
    String download(PartialDownload partial, Progress progress) throws IOException {
        PartialDownload.Target t = partial.target();
        HubSettings settings = client.settings();
        long backoff = settings.initialBackoff().toMillis();
        boolean restartedForHash = false;
        for (int attempt = 1; ; attempt++) {
            try {
                long have = partial.resumableBytes();
                if (have == 0) {
                    partial.begin();
                }
                listener.onEvent(new PullEvent.FileStarted(t.path(), t.size(), have));
                MessageDigest digest = PartialDownload.sha256();
                hashExisting(partial.data(), have, digest);
                long done = have >= t.size() ? have : transfer(partial, have, digest, progress);
                String sha = HexFormat.of().formatHex(digest.digest());
                if (done != t.size()) {
                    throw new HfClient.RetryableException("got " + done + " of " + t.size() + " bytes of " + t.path());
                }
                String expected = t.sha256() != null ? t.sha256() : linkedSha256;
                if (expected != null && !expected.equals(sha)) {
                    partial.discard();
                    if (have > 0 && !restartedForHash) {
                        restartedForHash = true; // the resumed prefix may have been bad: one fresh try
                        attempt--;
                        continue;
                    }
                    throw new HubException("sha256 mismatch for " + t.path() + " from " + t.repo() + ": expected "
                            + expected + ", got " + sha + "; the download was discarded");
                }
                AtomicFiles.sync(partial.data());
                return sha;
            } catch (HfClient.RetryableException e) {
                if (attempt >= settings.maxAttempts()) {
                    throw new HubException("giving up on " + t.path() + " from " + t.repo() + " after " + attempt
                            + " attempts: " + e.getMessage() + "; run the pull again to resume", e);
                }
                listener.onEvent(new PullEvent.Retrying(t.path(), attempt, settings.maxAttempts(), backoff,
                        e.getMessage()));
                sleep(backoff);
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
            }
        }
    }

    private long transfer(PartialDownload partial, long have, MessageDigest digest, Progress progress)
            throws IOException {
        PartialDownload.Target t = partial.target();
        try (HfClient.Download d = client.open(t.repo(), t.commit(), t.path(), have)) {
            if (d.linkedSha256() != null && t.sha256() != null && d.linkedSha256().length() == 64
                    && !d.linkedSha256().equals(t.sha256())) {
                throw new HubException("the Hub's X-Linked-Etag for " + t.path() + " (" + d.linkedSha256()
                        + ") differs from the listing's sha256 (" + t.sha256() + ")");
            }
            if (d.linkedSha256() != null && d.linkedSha256().matches("[0-9a-f]{64}")) {
                linkedSha256 = d.linkedSha256();
            }
            long position = have;
            if (d.status() == 200 && have > 0) {
                // the server ignored the Range: start over from byte 0
                digest.reset();
                position = 0;
            } else if (d.status() == 206 && d.offset() != have) {
                throw new HfClient.RetryableException("asked for bytes from " + have + " of " + t.path()
                        + " but got a range from " + d.offset());
            }
            try (FileChannel out = FileChannel.open(partial.data(), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE)) {
                out.truncate(position);
                out.position(position);
                return copy(d.body(), out, digest, position, progress, t);
            }
        }
    }

    private long copy(InputStream in, FileChannel out, MessageDigest digest, long position, Progress progress,
                      PartialDownload.Target t) throws IOException {
        byte[] buf = new byte[BUFFER];
        long lastReport = position;
        AtomicLong lastByteAt = new AtomicLong(System.nanoTime());
        long stallNanos = client.settings().stallTimeout().toNanos();
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread th = new Thread(r, "hearth-download-watchdog");
            th.setDaemon(true);
            return th;
        });
        ScheduledFuture<?> check = watchdog.scheduleAtFixedRate(() -> {
            if (System.nanoTime() - lastByteAt.get() > stallNanos) {
                try {
                    in.close(); // unblocks the read below with an IOException
                } catch (IOException ignored) {
                    // nothing more to do
                }
            }
        }, 1, 1, TimeUnit.SECONDS);
        try {
            while (position < t.size()) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedIOException("download of " + t.path() + " interrupted at byte " + position);
                }
                int n;
                try {
                    n = in.read(buf, 0, (int) Math.min(buf.length, t.size() - position));
                } catch (IOException e) {
                    throw retryable("connection lost", position, t, e);
                }
                if (n < 0) {
                    break;
                }
                lastByteAt.set(System.nanoTime());
                ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                try {
                    while (bb.hasRemaining()) {
                        out.write(bb);
                    }
                } catch (IOException e) {
                    throw new HubException("cannot write the download of " + t.path() + " at byte " + position
                            + " (disk full?): " + e.getMessage() + "; free space and pull again to resume", e);
                }
                digest.update(buf, 0, n);
                position += n;
                if (position - lastReport >= REPORT_EVERY || position == t.size()) {
                    lastReport = position;
                    progress.bytes(position);
                }
            }
        } finally {
            check.cancel(false);
            watchdog.shutdownNow();
        }
        if (position < t.size()) {
            throw retryable("connection closed early", position, t, null);
        }
        return position;
    }

    private static HfClient.RetryableException retryable(String what, long position, PartialDownload.Target t,
                                                         Throwable cause) {
        HfClient.RetryableException e = new HfClient.RetryableException(what + " at byte " + position + " of "
                + t.size() + " of " + t.path() + (cause == null ? "" : ": " + cause));
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }

    private static void hashExisting(Path file, long length, MessageDigest digest) throws IOException {
        if (length == 0) {
            return;
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 20];
            long left = length;
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    throw new IOException("partial file " + file + " shrank while reading");
                }
                digest.update(buf, 0, n);
                left -= n;
            }
        }
    }

    private static void sleep(long millis) throws InterruptedIOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to retry");
        }
    }
}
