package dev.hearth.kernel;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Repacked weights on disk, one file per model file: {@code DIR/<key>.hpack}, where the key hashes the model file's
 * real path, size and modification time and the packed layouts' version, so a changed model or a new layout finds no
 * entry. Written once (to a temporary name, renamed into place), then mapped read-only by every later load: its pages
 * are the page cache's, shared by every process that maps the same entry.
 *
 * <p>An entry is never trusted blindly: {@link #open} checks the magic, the layout version, the header's checksum, the
 * model file's identity and the file's length; anything else is {@link Damaged}, and the caller repacks (and rewrites
 * the entry). Then every 16 MiB chunk's CRC-32C: before any matrix is used, unless a <em>stamp</em> beside the entry
 * ({@code <key>.hpack.ok}) says the entry was verified (or written by us) and has not changed since: same file key
 * (device and inode), size, modification and change times. The file system moves the change time on every write, so a
 * stamp that matches means no process wrote the entry after it was checked; what a stamp cannot see (a disk's bit rot)
 * the chunk pass still finds, run in the background ({@link WeightPacker}) while the model serves, which marks the
 * model failed and deletes the entry when a chunk mismatches. A load that finds no matching stamp checks every chunk
 * first, as before, and stamps the entry.
 *
 * <p>Layout (little-endian): "HEARTHPK", int version, int CRC-32C of header bytes [16, headerBytes), long headerBytes
 * (a multiple of 4096), long fileBytes, long source size, long source modification time (ms), int source path length,
 * the model file's real path (UTF-8), int entries; per entry:
 * short name length, name (UTF-8), int type id, int rows, int cols, long offset, long length, int chunks, the chunks'
 * CRC-32C. Entries' bytes start at 4096-aligned offsets.
 */
public final class RepackCache {
    /**
     * The packed layouts' version: bump when hk_repack writes any type differently (or the header changes: 4 names
     * the model file, so that {@link RepackCachePrune} can tell an entry whose model is gone).
     */
    public static final int LAYOUT_VERSION = 4;
    static final long CHUNK = 16L << 20;
    /** How far a change time must lie in the past to be stamped: well over a file-system clock tick (1-10 ms). */
    static final long STAMP_SETTLE_MILLIS = 50;
    private static final byte[] MAGIC = "HEARTHPK".getBytes(StandardCharsets.US_ASCII);
    private static final long ALIGN = 4096;
    /** Bytes per write of {@link #write}: a whole number of 2 MiB huge pages. */
    static final long WRITE_WINDOW = 16L << 20;
    /**
     * The native library maps an entry at a 2 MiB boundary with huge pages asked for ({@link NativeKernels#mapFile}):
     * where the page cache holds it in 2 MiB folios, the mapping is in huge pages at once and shared by every process
     * (a 14B entry mapped in milliseconds). Where it holds 4 KiB pages (a file system without large folios, or pages read
     * in by another reader), the model serves from them while it loads and {@link #promote} then moves the entry into
     * anonymous huge pages at the same addresses: a 14B's decode from 4 KiB pages ran about 25% slower (2 threads, AMD
     * EPYC: 4.54-5.07 tokens/s against 6.07-7.02), and a first pass over them costs 1.4 us a page on these VMs. The moved
     * pages are no longer shared between processes. -Dhearth.load.hugepages=false leaves a mapping as it is.
     */
    private static final boolean HUGE_PAGES = Boolean.parseBoolean(System.getProperty("hearth.load.hugepages", "true"));
    /** The share of an entry mapped in huge pages below which it is moved into anonymous ones. */
    static final double HUGE_ENOUGH = 0.9;
    /**
     * What {@link #promote} moves at a time: a whole number of huge pages, so that each piece's end is aligned too, and
     * small, as a piece is in memory twice while it moves.
     */
    static final long PROMOTE_PIECE = 16L << 20;

    private final Path file;
    private final String sourcePath;
    private final long sourceSize;
    private final long sourceModified;

    private RepackCache(Path file, String sourcePath, long sourceSize, long sourceModified) {
        this.file = file;
        this.sourcePath = sourcePath;
        this.sourceSize = sourceSize;
        this.sourceModified = sourceModified;
    }

    /** The entry for {@code model} in {@code dir} (which need not exist yet). */
    public static RepackCache forModel(Path dir, Path model) throws IOException {
        Path real = model.toRealPath();
        BasicFileAttributes a = Files.readAttributes(real, BasicFileAttributes.class);
        long modified = a.lastModifiedTime().toMillis();
        String identity = real + "\n" + a.size() + "\n" + modified + "\n" + LAYOUT_VERSION + "\n" + NativeKernels.wide();
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
            return new RepackCache(dir.resolve(HexFormat.of().formatHex(hash, 0, 16) + ".hpack"), real.toString(),
                    a.size(), modified);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    public Path file() {
        return file;
    }

    /** One packed matrix of an entry: where its bytes are, and what it must be. */
    public record Entry(String name, int typeId, int rows, int cols, long offset, long length, int[] chunkCrcs) {}

    /** A damaged, stale or foreign entry: the message says what did not match. */
    public static final class Damaged extends Exception {
        Damaged(String message) {
            super(message);
        }
    }

    /**
     * The entry's matrices, mapped read-only in the arena (to be {@link #promote}d where {@link Mapped#promotable});
     * null where there is no entry. The header is checked here;
     * the chunks too (on the pool) unless the entry's stamp matches, in which case {@link Mapped#verified} is false and
     * the caller must run {@link #verify} (in the background) and stop trusting the entry if it fails.
     */
    public Mapped open(Arena arena, ComputePool pool) throws IOException, Damaged {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        String before = fileStamp(file);
        MemorySegment all;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            all = NativeKernels.mapFile(file, ch.size(), arena);
            if (all == null) {  // no native library (or its map failed): the JDK's mapping, never promoted
                all = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            }
        }
        long huge = all.isMapped() ? -1 : MappedPages.hugeFileBytes(all);
        List<Entry> entries = readHeader(all);
        Map<String, MemorySegment> out = new LinkedHashMap<>();
        for (Entry en : entries) {
            out.put(key(en.name(), en.typeId(), en.rows(), en.cols()), all.asSlice(en.offset(), en.length()));
        }
        Mapped mapped = new Mapped(out, all, entries, before != null && before.equals(readStamp()), huge,
                HUGE_PAGES && !all.isMapped() && huge < HUGE_ENOUGH * all.byteSize());
        if (!mapped.stamped()) {
            long start = System.currentTimeMillis();
            verify(mapped, pool);
            stampIfUnchanged(before, start);
        }
        return mapped;
    }

    /**
     * An open entry: its matrices by {@link #key}, whether its chunks were checked at open (false: its stamp matched,
     * and {@link #verify} is still to run), the bytes of it mapped in huge pages (-1: not known), and whether
     * {@link #promote} is to move it into huge pages (mapped by the native library, mostly in 4 KiB pages).
     */
    public record Mapped(Map<String, MemorySegment> matrices, MemorySegment all, List<Entry> entries,
            boolean stamped, long hugeBytes, boolean promotable) {
        public boolean verified() {
            return !stamped;
        }
    }

    /**
     * Moves a {@link Mapped#promotable} entry into anonymous huge-page memory at the same addresses, a piece at a time
     * on the caller's thread (the model may serve from it meanwhile: each piece reads the same before and after).
     * Null when done; else why it stopped (an errno, or the thread was interrupted), the rest left mapped.
     */
    public static String promote(Mapped mapped) {
        return promote(mapped, PROMOTE_PIECE);
    }

    /** {@link #promote(Mapped)} in pieces of {@code piece} bytes (a multiple of 2 MiB). */
    static String promote(Mapped mapped, long piece) {
        MemorySegment all = mapped.all();
        for (long at = 0; at < all.byteSize(); at += piece) {
            if (Thread.currentThread().isInterrupted()) {
                return "stopped at byte " + at + " (model closed)";
            }
            int errno = NativeKernels.promote(all.asSlice(at, Math.min(piece, all.byteSize() - at)));
            if (errno != 0) {
                return "stopped at byte " + at + " of " + all.byteSize() + " (errno " + errno + ")";
            }
        }
        return null;
    }

    /**
     * After a {@link #promote}: drops the entry's pages from the page cache (those no other process maps), so that the
     * next load reads it from disk in huge pages and the redundant copy's memory is free. Whether they were dropped.
     */
    public boolean dropCachedPages() {
        return NativeKernels.dropCached(file) == 0;
    }

    /**
     * Checks every chunk's CRC-32C, split over the pool (null: on the caller's thread, which stops early, passing,
     * when interrupted: the caller must then ignore the outcome).
     */
    public void verify(Mapped mapped, ComputePool pool) throws Damaged {
        List<Entry> entries = mapped.entries();
        List<long[]> chunks = new ArrayList<>();  // {entry index, chunk index}
        for (int e = 0; e < entries.size(); e++) {
            for (int c = 0; c < entries.get(e).chunkCrcs().length; c++) {
                chunks.add(new long[] {e, c});
            }
        }
        boolean[] bad = new boolean[chunks.size()];
        RangeBody body = (start, end) -> {
            for (int i = start; i < end && !(pool == null && Thread.currentThread().isInterrupted()); i++) {
                Entry en = entries.get((int) chunks.get(i)[0]);
                int c = (int) chunks.get(i)[1];
                long at = c * CHUNK;
                bad[i] = crc(mapped.all().asSlice(en.offset() + at, Math.min(CHUNK, en.length() - at)))
                        != en.chunkCrcs()[c];
            }
        };
        if (pool == null) {
            body.run(0, chunks.size());
        } else {
            pool.parallelFor(chunks.size(), body);
        }
        for (int i = 0; i < bad.length; i++) {
            if (bad[i]) {
                Entry en = entries.get((int) chunks.get(i)[0]);
                throw new Damaged("the bytes of '" + en.name() + "' (chunk " + chunks.get(i)[1] + ") fail their checksum");
            }
        }
    }

    /** Deletes the entry and its stamp (a failed background check: the next load rebuilds it). */
    public void discard() {
        try {
            Files.deleteIfExists(stampFile());
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // the next load finds the damage itself
        }
    }

    /** The key {@link #open}'s map uses for a matrix. */
    public static String key(String name, int typeId, int rows, int cols) {
        return name + "\0" + typeId + "\0" + rows + "\0" + cols;
    }

    /** The stamp's file: {@code <key>.hpack.ok}. */
    Path stampFile() {
        return file.resolveSibling(file.getFileName() + ".ok");
    }

    /**
     * What identifies this version of a file on a POSIX file system: file key, size, modification and change times
     * (nanoseconds); null where the file system does not say (then no stamp is ever trusted).
     */
    static String fileStamp(Path path) {
        try {
            Map<String, Object> a = Files.readAttributes(path, "unix:ino,dev,size,lastModifiedTime,ctime");
            return a.get("dev") + ":" + a.get("ino") + ":" + a.get("size") + ":"
                    + nanos(a.get("lastModifiedTime")) + ":" + nanos(a.get("ctime"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return null;
        }
    }

    private static long nanos(Object time) {
        return ((java.nio.file.attribute.FileTime) time).to(java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    private static long changedMillis(String stamp) {
        return Long.parseLong(stamp.substring(stamp.lastIndexOf(':') + 1)) / 1_000_000;
    }

    /** The stamp's line, or null where it is missing or does not name this entry. */
    private String readStamp() {
        try {
            String text = Files.readString(stampFile(), StandardCharsets.UTF_8);
            String prefix = file.getFileName() + " ";
            return text.startsWith(prefix) && text.endsWith("\n")
                    ? text.substring(prefix.length(), text.length() - 1) : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Stamps the entry as checked, if its stamp still reads {@code before} (no write since it was taken) and its change
     * time lies before {@code sinceMillis} by more than a file-system clock tick (a write within the same tick would
     * not move the change time: such an entry stays unstamped, and the next load checks it again).
     */
    void stampIfUnchanged(String before, long sinceMillis) {
        if (before == null || changedMillis(before) > sinceMillis - STAMP_SETTLE_MILLIS
                || !before.equals(fileStamp(file))) {
            return;
        }
        try {
            Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".ok.tmp");
            try {
                Files.writeString(tmp, file.getFileName() + " " + before + "\n", StandardCharsets.UTF_8);
                Files.move(tmp, stampFile(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException | RuntimeException e) {
            // unstamped: the next load checks every chunk again
        }
    }

    private List<Entry> readHeader(MemorySegment all) throws Damaged {
        try {
            ByteBuffer b = all.asSlice(0, Math.min(all.byteSize(), Integer.MAX_VALUE - 8)).asByteBuffer()
                    .order(ByteOrder.LITTLE_ENDIAN);
            byte[] magic = new byte[MAGIC.length];
            b.get(magic);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw new Damaged("not a repack cache file (magic)");
            }
            int version = b.getInt();
            if (version != LAYOUT_VERSION) {
                throw new Damaged("layout version " + version + ", this build packs version " + LAYOUT_VERSION);
            }
            int headerCrc = b.getInt();
            long headerBytes = b.getLong();
            if (headerBytes < 64 || headerBytes > all.byteSize() || headerBytes % ALIGN != 0) {
                throw new Damaged("header length " + headerBytes + " out of range");
            }
            if (crc(all.asSlice(16, headerBytes - 16)) != headerCrc) {
                throw new Damaged("the header fails its checksum");
            }
            long fileBytes = b.getLong();
            if (fileBytes != all.byteSize()) {
                throw new Damaged("the file has " + all.byteSize() + " bytes, its header says " + fileBytes);
            }
            long size = b.getLong();
            long modified = b.getLong();
            String path = readPath(b);
            if (size != sourceSize || modified != sourceModified || !path.equals(sourcePath)) {
                throw new Damaged("made from another version of the model file");
            }
            int count = b.getInt();
            List<Entry> entries = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                byte[] name = new byte[b.getShort()];
                b.get(name);
                int type = b.getInt();
                int rows = b.getInt();
                int cols = b.getInt();
                long offset = b.getLong();
                long length = b.getLong();
                int[] crcs = new int[b.getInt()];
                if (offset < headerBytes || length < 0 || offset + length > fileBytes
                        || crcs.length != (int) ((length + CHUNK - 1) / CHUNK)) {
                    throw new Damaged("entry " + i + " lies outside the file");
                }
                for (int c = 0; c < crcs.length; c++) {
                    crcs[c] = b.getInt();
                }
                entries.add(new Entry(new String(name, StandardCharsets.UTF_8), type, rows, cols, offset, length, crcs));
            }
            return entries;
        } catch (RuntimeException e) {  // a truncated or garbled header: buffer underflow, negative sizes
            throw new Damaged("unreadable header (" + e + ")");
        }
    }

    private static String readPath(ByteBuffer b) throws Damaged {
        int length = b.getInt();
        if (length < 0 || length > b.remaining()) {
            throw new Damaged("source path length " + length + " out of range");
        }
        byte[] path = new byte[length];
        b.get(path);
        return new String(path, StandardCharsets.UTF_8);
    }

    /** What an entry's header says it was made from: the model file's real path, size and modification time (ms). */
    public record Origin(String path, long size, long modifiedMillis) {}

    /**
     * Reads only the header of the entry {@code entry} (any key) and says what it was made from; {@link Damaged}
     * where it is not an entry of this layout version or its header fails its checksum.
     */
    public static Origin originOf(Path entry) throws IOException, Damaged {
        try (FileChannel ch = FileChannel.open(entry, StandardOpenOption.READ)) {
            ByteBuffer fixed = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
            while (fixed.hasRemaining() && ch.read(fixed, fixed.position()) > 0) {
                // read the fixed fields
            }
            fixed.flip();
            if (fixed.remaining() < 48) {
                throw new Damaged("shorter than a header");
            }
            byte[] magic = new byte[MAGIC.length];
            fixed.get(magic);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw new Damaged("not a repack cache file (magic)");
            }
            int version = fixed.getInt();
            if (version != LAYOUT_VERSION) {
                throw new Damaged("layout version " + version + ", this build packs version " + LAYOUT_VERSION);
            }
            int headerCrc = fixed.getInt();
            long headerBytes = fixed.getLong();
            if (headerBytes < 64 || headerBytes > Math.min(ch.size(), 1L << 30) || headerBytes % ALIGN != 0) {
                throw new Damaged("header length " + headerBytes + " out of range");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerBytes).order(ByteOrder.LITTLE_ENDIAN);
            while (header.hasRemaining() && ch.read(header, header.position()) > 0) {
                // read the whole header
            }
            CRC32C crc = new CRC32C();
            crc.update(header.array(), 16, (int) headerBytes - 16);
            if ((int) crc.getValue() != headerCrc) {
                throw new Damaged("the header fails its checksum");
            }
            header.position(32);
            long size = header.getLong();
            long modified = header.getLong();
            return new Origin(readPath(header), size, modified);
        } catch (RuntimeException e) {
            throw new Damaged("unreadable header (" + e + ")");
        }
    }

    /** A matrix to write: its key fields and its packed bytes. */
    public record Source(String name, int typeId, int rows, int cols, MemorySegment bytes) {}

    /**
     * Writes an entry holding {@code sources} (checksummed from memory first, then written front to back) to a
     * temporary file beside the entry, then renames it into place. Runs on the caller's thread; stops with {@link InterruptedException} when interrupted
     * (the temporary file is then deleted).
     */
    public void write(List<Source> sources) throws IOException, InterruptedException {
        Files.createDirectories(file.getParent());
        long headerBytes = 64 + 4 + sourcePath.getBytes(StandardCharsets.UTF_8).length;
        for (Source s : sources) {
            headerBytes += 2 + s.name().getBytes(StandardCharsets.UTF_8).length + 32 + 4 * chunks(s.bytes().byteSize());
        }
        headerBytes = align(headerBytes);
        long[] offsets = new long[sources.size()];
        long at = headerBytes;
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = at;
            at = align(at + sources.get(i).bytes().byteSize());
        }
        long fileBytes = at;
        if (Files.getFileStore(file.getParent()).getUsableSpace() < fileBytes + (1L << 30)) {
            throw new IOException("not enough free disk space for " + fileBytes + " bytes in " + file.getParent());
        }
        int[][] crcs = new int[sources.size()][];
        for (int i = 0; i < offsets.length; i++) {
            MemorySegment bytes = sources.get(i).bytes();
            crcs[i] = new int[chunks(bytes.byteSize())];
            for (int c = 0; c < crcs[i].length; c++) {
                if (Thread.interrupted()) {
                    throw new InterruptedException("stopped writing " + file);
                }
                crcs[i][c] = crc(bytes.asSlice(c * CHUNK, Math.min(CHUNK, bytes.byteSize() - c * CHUNK)));
            }
        }
        ByteBuffer h = header(sources, offsets, crcs, headerBytes, fileBytes);
        Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
                    Arena staging = Arena.ofConfined()) {
                // outside the direct memory limit where the native library runs (a writer always has it)
                MemorySegment window = NativeKernels.available() ? NativeKernels.allocate(WRITE_WINDOW, staging)
                        : staging.allocate(WRITE_WINDOW, ALIGN);
                writeInWindows(ch, MemorySegment.ofBuffer(h), sources, offsets, fileBytes, window);
            }
            Files.deleteIfExists(stampFile());
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        // the bytes were checksummed from the memory they were written from: stamp once the change time has settled
        String written = fileStamp(file);
        if (written != null) {
            long wait = changedMillis(written) + STAMP_SETTLE_MILLIS + 1 - System.currentTimeMillis();
            if (wait > 0) {
                Thread.sleep(wait);
            }
            stampIfUnchanged(written, System.currentTimeMillis());
        }
    }

    /**
     * Writes the file front to back, {@link #WRITE_WINDOW} bytes a call at offsets that are multiples of it (the header,
     * then each source at its offset, zeros between), through {@code window}: the page cache then holds what it writes
     * in 2 MiB folios where the file system has large folios, which the next load maps in huge pages (writes at each
     * matrix's 4 KiB-aligned offset left the ends of every write in small pages: 28 of a 32 MiB entry in huge ones).
     */
    private static void writeInWindows(FileChannel ch, MemorySegment header, List<Source> sources, long[] offsets,
            long fileBytes, MemorySegment window) throws IOException, InterruptedException {
        int next = 0;  // the first source that may still overlap the window
        for (long at = 0; at < fileBytes; at += WRITE_WINDOW) {
            if (Thread.interrupted()) {
                throw new InterruptedException("stopped writing");
            }
            long end = Math.min(fileBytes, at + WRITE_WINDOW);
            MemorySegment w = window.asSlice(0, end - at);
            w.fill((byte) 0);
            copyOverlap(header, 0, w, at);
            while (next < offsets.length && offsets[next] + sources.get(next).bytes().byteSize() <= at) {
                next++;
            }
            for (int i = next; i < offsets.length && offsets[i] < end; i++) {
                copyOverlap(sources.get(i).bytes(), offsets[i], w, at);
            }
            ByteBuffer b = w.asByteBuffer();
            while (b.hasRemaining()) {
                ch.write(b, at + b.position());
            }
        }
    }

    /** Copies the part of {@code src} (which starts at file offset {@code from}) that falls in {@code window} (at {@code at}). */
    private static void copyOverlap(MemorySegment src, long from, MemorySegment window, long at) {
        long lo = Math.max(from, at);
        long hi = Math.min(from + src.byteSize(), at + window.byteSize());
        if (lo < hi) {
            MemorySegment.copy(src, lo - from, window, lo - at, hi - lo);
        }
    }

    private ByteBuffer header(List<Source> sources, long[] offsets, int[][] crcs, long headerBytes, long fileBytes) {
        ByteBuffer h = ByteBuffer.allocate((int) headerBytes).order(ByteOrder.LITTLE_ENDIAN);
        byte[] path = sourcePath.getBytes(StandardCharsets.UTF_8);
        h.put(MAGIC).putInt(LAYOUT_VERSION).putInt(0).putLong(headerBytes).putLong(fileBytes).putLong(sourceSize)
                .putLong(sourceModified).putInt(path.length).put(path).putInt(sources.size());
        for (int i = 0; i < offsets.length; i++) {
            Source s = sources.get(i);
            byte[] name = s.name().getBytes(StandardCharsets.UTF_8);
            h.putShort((short) name.length).put(name).putInt(s.typeId()).putInt(s.rows()).putInt(s.cols())
                    .putLong(offsets[i]).putLong(s.bytes().byteSize()).putInt(crcs[i].length);
            for (int c : crcs[i]) {
                h.putInt(c);
            }
        }
        CRC32C crc = new CRC32C();
        crc.update(h.array(), 16, (int) headerBytes - 16);
        h.putInt(12, (int) crc.getValue());
        h.position(0);
        return h;
    }

    private static int chunks(long bytes) {
        return (int) ((bytes + CHUNK - 1) / CHUNK);
    }

    private static long align(long n) {
        return (n + ALIGN - 1) / ALIGN * ALIGN;
    }

    private static int crc(MemorySegment s) {
        CRC32C crc = new CRC32C();
        for (long at = 0; at < s.byteSize(); at += CHUNK) {
            crc.update(s.asSlice(at, Math.min(CHUNK, s.byteSize() - at)).asByteBuffer());
        }
        return (int) crc.getValue();
    }
}
