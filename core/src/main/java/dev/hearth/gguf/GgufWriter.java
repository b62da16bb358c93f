package dev.hearth.gguf;

import dev.hearth.gguf.GgufValue.GgufArray;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a GGUF version 3 file: metadata in insertion order, then the tensor directory, then tensor data streamed
 * one tensor at a time from {@link TensorData} sources. The file appears at its path only when complete (written to a
 * temporary sibling, then moved atomically), so a failure never leaves a half-written model.
 */
public final class GgufWriter {
    /** Streams exactly the tensor's byte size to {@code out}. */
    @FunctionalInterface
    public interface TensorData {
        void writeTo(OutputStream out) throws IOException;
    }

    private record PendingTensor(String name, GgmlType type, long[] shape, long byteSize, TensorData data) {}

    private final Map<String, GgufValue> metadata = new LinkedHashMap<>();
    private final List<PendingTensor> tensors = new ArrayList<>();
    private long alignment = 32;

    public GgufWriter put(String key, GgufValue value) {
        if (key.equals(GgufKeys.GENERAL_ALIGNMENT)) {
            long a = ((Number) value.value()).longValue();
            if (a <= 0 || Long.bitCount(a) != 1) {
                throw new IllegalArgumentException("alignment " + a + " is not a power of two");
            }
            alignment = a;
        }
        metadata.put(key, value);
        return this;
    }

    public GgufWriter putAll(GgufMetadata source) {
        source.asMap().forEach(this::put);
        return this;
    }

    public GgufWriter putString(String key, String v) {
        return put(key, GgufValue.ofString(v));
    }

    public GgufWriter putUInt32(String key, long v) {
        return put(key, GgufValue.ofUInt32(v));
    }

    public GgufWriter putFloat32(String key, float v) {
        return put(key, GgufValue.ofFloat32(v));
    }

    public GgufWriter putBool(String key, boolean v) {
        return put(key, GgufValue.ofBool(v));
    }

    public GgufWriter putArray(String key, GgufArray v) {
        return put(key, GgufValue.ofArray(v));
    }

    /** Adds a tensor; shape in GGML order (shape[0] contiguous). */
    public GgufWriter addTensor(String name, GgmlType type, long[] shape, TensorData data) {
        long elements = 1;
        for (long d : shape) {
            elements = Math.multiplyExact(elements, d);
        }
        for (PendingTensor t : tensors) {
            if (t.name.equals(name)) {
                throw new IllegalArgumentException("duplicate tensor '" + name + "'");
            }
        }
        tensors.add(new PendingTensor(name, type, shape.clone(), type.byteSize(elements), data));
        return this;
    }

    /** Writes the file atomically: a temporary sibling, then a move over {@code path}. */
    public void write(Path path) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + path.getFileName() + ".", ".partial");
        try {
            try (OutputStream raw = Files.newOutputStream(tmp);
                    CountingOutputStream out = new CountingOutputStream(new BufferedOutputStream(raw, 1 << 20))) {
                writeTo(out);
            }
            try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            try {
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: keep the default permissions
            }
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException | Error e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    private void writeTo(CountingOutputStream out) throws IOException {
        LittleEndian le = new LittleEndian(out);
        le.i32(GgufHeaderParser.MAGIC);
        le.i32(3);
        le.i64(tensors.size());
        le.i64(metadata.size());
        for (Map.Entry<String, GgufValue> e : metadata.entrySet()) {
            le.string(e.getKey());
            le.i32(e.getValue().type().id());
            writeValue(le, e.getValue().type(), e.getValue().value());
        }
        long offset = 0;
        long[] offsets = new long[tensors.size()];
        for (int i = 0; i < tensors.size(); i++) {
            PendingTensor t = tensors.get(i);
            offsets[i] = offset;
            le.string(t.name);
            le.i32(t.shape.length);
            for (long d : t.shape) {
                le.i64(d);
            }
            le.i32(t.type.id());
            le.i64(offset);
            offset = alignUp(offset + t.byteSize, alignment);
        }
        pad(out, alignUp(out.count, alignment) - out.count);
        long dataStart = out.count;
        for (int i = 0; i < tensors.size(); i++) {
            PendingTensor t = tensors.get(i);
            pad(out, dataStart + offsets[i] - out.count);
            long before = out.count;
            t.data.writeTo(out);
            long written = out.count - before;
            if (written != t.byteSize) {
                throw new IOException("tensor '" + t.name + "' wrote " + written + " bytes, expected " + t.byteSize);
            }
        }
        pad(out, alignUp(out.count, alignment) - out.count);
    }

    private static void writeValue(LittleEndian le, GgufValueType type, Object v) throws IOException {
        switch (type) {
            case UINT8, INT8 -> le.out.write(((Number) v).intValue());
            case UINT16, INT16 -> le.i16(((Number) v).intValue());
            case UINT32, INT32 -> le.i32((int) ((Number) v).longValue());
            case UINT64, INT64 -> le.i64(((Number) v).longValue());
            case FLOAT32 -> le.i32(Float.floatToRawIntBits(((Number) v).floatValue()));
            case FLOAT64 -> le.i64(Double.doubleToRawLongBits(((Number) v).doubleValue()));
            case BOOL -> le.out.write((Boolean) v ? 1 : 0);
            case STRING -> le.string((String) v);
            case ARRAY -> {
                GgufArray a = (GgufArray) v;
                le.i32(a.elementType().id());
                int n = a.length();
                le.i64(n);
                Object values = a.values();
                for (int i = 0; i < n; i++) {
                    Object element = switch (values) {
                        case int[] x -> x[i];
                        case long[] x -> x[i];
                        case float[] x -> x[i];
                        case double[] x -> x[i];
                        case boolean[] x -> x[i];
                        case Object[] x -> x[i];
                        default -> throw new IllegalArgumentException("unsupported array storage " + values.getClass());
                    };
                    writeValue(le, a.elementType(), element);
                }
            }
        }
    }

    private static void pad(OutputStream out, long n) throws IOException {
        for (long i = 0; i < n; i++) {
            out.write(0);
        }
    }

    private static long alignUp(long v, long a) {
        return (v + a - 1) / a * a;
    }

    private static final class LittleEndian {
        final OutputStream out;
        final ByteBuffer buf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);

        LittleEndian(OutputStream out) {
            this.out = out;
        }

        void i16(int v) throws IOException {
            buf.clear();
            buf.putShort((short) v);
            out.write(buf.array(), 0, 2);
        }

        void i32(int v) throws IOException {
            buf.clear();
            buf.putInt(v);
            out.write(buf.array(), 0, 4);
        }

        void i64(long v) throws IOException {
            buf.clear();
            buf.putLong(v);
            out.write(buf.array(), 0, 8);
        }

        void string(String s) throws IOException {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            i64(b.length);
            out.write(b);
        }
    }

    private static final class CountingOutputStream extends java.io.FilterOutputStream {
        long count;

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
