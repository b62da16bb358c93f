package dev.hearth.gguf;

import dev.hearth.gguf.GgufValue.GgufArray;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses the header of a mapped GGUF file: magic, version, metadata, tensor directory, alignment. Every read is
 * bounds-checked against the file size before anything is allocated, so a hostile file yields a
 * {@link GgufException} naming the key, tensor or offset, never an OutOfMemoryError or a hang.
 */
final class GgufHeaderParser {
    static final int MAGIC = 0x46554747; // "GGUF" little-endian
    static final int MAX_DIMS = 4;
    static final int MAX_ARRAY_DEPTH = 8;
    static final long MAX_STRING_LENGTH = 1L << 30;

    /** The first copy of the file's front into {@link #buf}; it doubles as the header needs. */
    private static final int FIRST_COPY = 4 << 20;

    record Header(int version, GgufMetadata metadata, List<GgufTensorInfo> tensors, long alignment, long dataOffset) {}

    private final MemorySegment seg;
    /**
     * The file's bytes [0, buf.length), read from here rather than through the segment: the header is parsed once, at a
     * start, in the interpreter, where a segment read goes through its VarHandle machinery (a 152k-token vocabulary's
     * 300k strings took 0.3-0.4 s, and C2 then spent 0.4 s compiling MethodType lookups).
     */
    private byte[] buf = new byte[0];
    private final long size;
    private final String fileName;
    private long pos;
    private String context = "header";

    private GgufHeaderParser(MemorySegment seg, String fileName) {
        this.seg = seg;
        this.size = seg.byteSize();
        this.fileName = fileName;
    }

    static Header parse(MemorySegment seg, String fileName) {
        return new GgufHeaderParser(seg, fileName).parse();
    }

    private Header parse() {
        if (size < 4) {
            throw fail("file is too short to be GGUF (" + size + " bytes)");
        }
        int magic = readI32();
        if (magic != MAGIC) {
            throw fail(String.format("bad magic 0x%08x at offset 0, expected \"GGUF\"", magic));
        }
        context = "version";
        int version = readI32();
        if (version != 2 && version != 3) {
            throw fail("unsupported GGUF version " + Integer.toUnsignedString(version) + " (Hearth reads versions 2 and 3)");
        }
        context = "tensor count";
        long tensorCount = readI64();
        context = "metadata count";
        long kvCount = readI64();
        // Each tensor info takes at least 8 (name) + 4 (dims) + 4 (type) + 8 (offset) bytes; each kv at least 8 + 4 + 1.
        if (tensorCount < 0 || tensorCount > remaining() / 24) {
            throw fail("tensor count " + Long.toUnsignedString(tensorCount) + " is impossible for a file of " + size + " bytes");
        }
        if (kvCount < 0 || kvCount > remaining() / 13) {
            throw fail("metadata count " + Long.toUnsignedString(kvCount) + " is impossible for a file of " + size + " bytes");
        }

        Map<String, GgufValue> kv = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            long keyAt = pos;
            context = "metadata key #" + i;
            String key = readString();
            context = "metadata key '" + key + "'";
            if (kv.containsKey(key)) {
                throw fail("duplicate metadata key '" + key + "' at offset " + keyAt);
            }
            int typeId = readI32();
            GgufValueType type = GgufValueType.fromId(typeId);
            if (type == null) {
                throw fail("metadata key '" + key + "' has unknown value type " + typeId + " at offset " + (pos - 4));
            }
            kv.put(key, new GgufValue(type, readValue(type, 0)));
        }
        GgufMetadata metadata = new GgufMetadata(kv);

        long alignment = 32;
        if (metadata.has(GgufKeys.GENERAL_ALIGNMENT)) {
            context = "metadata key '" + GgufKeys.GENERAL_ALIGNMENT + "'";
            try {
                alignment = metadata.getLong(GgufKeys.GENERAL_ALIGNMENT);
            } catch (GgufException e) {
                throw fail(e.getMessage());
            }
            if (alignment <= 0 || Long.bitCount(alignment) != 1 || alignment > (1 << 20)) {
                throw fail("metadata key '" + GgufKeys.GENERAL_ALIGNMENT + "' = " + alignment
                        + " is not a power of two in [1, 1048576]");
            }
        }

        List<GgufTensorInfo> tensors = new ArrayList<>((int) tensorCount);
        Set<String> names = new HashSet<>();
        for (long i = 0; i < tensorCount; i++) {
            context = "tensor info #" + i;
            String name = readString();
            context = "tensor '" + name + "'";
            if (!names.add(name)) {
                throw fail("duplicate tensor name '" + name + "'");
            }
            int nDims = readI32();
            if (nDims < 1 || nDims > MAX_DIMS) {
                throw fail("tensor '" + name + "' has " + Integer.toUnsignedString(nDims) + " dimensions (1 to "
                        + MAX_DIMS + " allowed)");
            }
            long[] shape = new long[nDims];
            long elements = 1;
            for (int d = 0; d < nDims; d++) {
                shape[d] = readI64();
                if (shape[d] < 0) {
                    throw fail("tensor '" + name + "' dimension " + d + " is negative or too large ("
                            + Long.toUnsignedString(shape[d]) + ")");
                }
                try {
                    elements = Math.multiplyExact(elements, shape[d]);
                } catch (ArithmeticException e) {
                    throw fail("tensor '" + name + "' element count overflows (shape " + java.util.Arrays.toString(shape) + ")");
                }
            }
            int typeId = readI32();
            GgmlType type = GgmlType.fromId(typeId);
            if (type == null) {
                throw fail("tensor '" + name + "' has unknown type id " + typeId);
            }
            if (shape[0] % type.blockSize() != 0) {
                throw fail("tensor '" + name + "' row length " + shape[0] + " is not a multiple of the " + type
                        + " block size " + type.blockSize());
            }
            long byteSize;
            try {
                byteSize = type.byteSize(elements);
            } catch (ArithmeticException e) {
                throw fail("tensor '" + name + "' byte size overflows");
            }
            long offset = readI64();
            if (offset < 0 || offset % alignment != 0) {
                throw fail("tensor '" + name + "' data offset " + Long.toUnsignedString(offset)
                        + " is not a multiple of the alignment " + alignment);
            }
            tensors.add(new GgufTensorInfo(name, type, shape, offset, byteSize));
        }

        long dataOffset = alignUp(pos, alignment);
        if (tensorCount > 0 && dataOffset > size) {
            throw fail("tensor data section starts at offset " + dataOffset + ", past the end of the file (" + size + " bytes)");
        }
        long dataSize = size - Math.min(dataOffset, size);
        List<GgufTensorInfo> byOffset = new ArrayList<>(tensors);
        byOffset.sort(Comparator.comparingLong(GgufTensorInfo::offset));
        GgufTensorInfo previous = null;
        for (GgufTensorInfo t : byOffset) {
            if (t.offset() > dataSize || t.byteSize() > dataSize - t.offset()) {
                throw fail("tensor '" + t.name() + "' data [" + (dataOffset + t.offset()) + ", "
                        + (dataOffset + t.offset() + t.byteSize()) + ") runs past the end of the file (" + size
                        + " bytes): the file is truncated or damaged");
            }
            if (previous != null && previous.offset() + previous.byteSize() > t.offset()) {
                throw fail("tensors '" + previous.name() + "' and '" + t.name() + "' overlap at data offset " + t.offset());
            }
            previous = t;
        }
        return new Header(version, metadata, tensors, alignment, dataOffset);
    }

    private Object readValue(GgufValueType type, int depth) {
        return switch (type) {
            case UINT8 -> Byte.toUnsignedInt(readI8());
            case INT8 -> (int) readI8();
            case UINT16 -> Short.toUnsignedInt(readI16());
            case INT16 -> (int) readI16();
            case UINT32 -> Integer.toUnsignedLong(readI32());
            case INT32 -> readI32();
            case FLOAT32 -> readF32();
            case BOOL -> readBool();
            case STRING -> readString();
            case UINT64, INT64 -> readI64();
            case FLOAT64 -> readF64();
            case ARRAY -> readArray(depth);
        };
    }

    private GgufArray readArray(int depth) {
        if (depth >= MAX_ARRAY_DEPTH) {
            throw fail(context + ": arrays nested deeper than " + MAX_ARRAY_DEPTH + " at offset " + pos);
        }
        int typeId = readI32();
        GgufValueType et = GgufValueType.fromId(typeId);
        if (et == null) {
            throw fail(context + ": array has unknown element type " + typeId + " at offset " + (pos - 4));
        }
        long countAt = pos;
        long count = readI64();
        if (count < 0 || count > remaining() / et.minSize() || count > Integer.MAX_VALUE - 8) {
            throw fail(context + ": array of " + Long.toUnsignedString(count) + " " + et + " at offset " + countAt
                    + " does not fit in the " + remaining() + " bytes left in the file");
        }
        int n = (int) count;
        return switch (et) {
            case UINT8, INT8, UINT16, INT16, INT32 -> {
                int[] a = new int[n];
                for (int i = 0; i < n; i++) {
                    a[i] = switch (et) {
                        case UINT8 -> Byte.toUnsignedInt(readI8());
                        case INT8 -> readI8();
                        case UINT16 -> Short.toUnsignedInt(readI16());
                        case INT16 -> readI16();
                        default -> readI32();
                    };
                }
                yield new GgufArray(et, a);
            }
            case UINT32, UINT64, INT64 -> {
                long[] a = new long[n];
                for (int i = 0; i < n; i++) {
                    a[i] = et == GgufValueType.UINT32 ? Integer.toUnsignedLong(readI32()) : readI64();
                }
                yield new GgufArray(et, a);
            }
            case FLOAT32 -> {
                float[] a = new float[n];
                for (int i = 0; i < n; i++) {
                    a[i] = readF32();
                }
                yield new GgufArray(et, a);
            }
            case FLOAT64 -> {
                double[] a = new double[n];
                for (int i = 0; i < n; i++) {
                    a[i] = readF64();
                }
                yield new GgufArray(et, a);
            }
            case BOOL -> {
                boolean[] a = new boolean[n];
                for (int i = 0; i < n; i++) {
                    a[i] = readBool();
                }
                yield new GgufArray(et, a);
            }
            case STRING -> {
                String[] a = new String[n];
                for (int i = 0; i < n; i++) {
                    a[i] = readString();
                }
                yield new GgufArray(et, a);
            }
            case ARRAY -> {
                GgufArray[] a = new GgufArray[n];
                for (int i = 0; i < n; i++) {
                    a[i] = readArray(depth + 1);
                }
                yield new GgufArray(et, a);
            }
        };
    }

    private long remaining() {
        return size - pos;
    }

    private void need(long bytes) {
        if (bytes > remaining()) {
            throw fail("file is truncated: reading " + context + " needs " + bytes + " bytes at offset " + pos
                    + " but the file has " + size + " bytes");
        }
        if (pos + bytes > buf.length) {
            copyFront(pos + bytes);
        }
    }

    /** Copies the file's bytes [0, at least upTo) into {@link #buf} (doubling, up to the file's size). */
    private void copyFront(long upTo) {
        long n = Math.min(size, Math.max(upTo, Math.max(FIRST_COPY, 2L * buf.length)));
        if (n > Integer.MAX_VALUE - 8) {
            n = Math.max(upTo, Integer.MAX_VALUE - 8);
            if (n > Integer.MAX_VALUE - 8) {
                throw fail(context + ": the header runs past 2 GiB, at offset " + pos);
            }
        }
        byte[] front = new byte[(int) n];
        MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, 0, front, 0, front.length);
        buf = front;
    }

    private byte readI8() {
        need(1);
        return buf[(int) pos++];
    }

    private boolean readBool() {
        long at = pos;
        byte b = readI8();
        if (b != 0 && b != 1) {
            throw fail(context + ": boolean byte " + b + " at offset " + at + " is neither 0 nor 1");
        }
        return b == 1;
    }

    private short readI16() {
        need(2);
        int p = (int) pos;
        pos += 2;
        return (short) ((buf[p] & 0xFF) | (buf[p + 1] & 0xFF) << 8);
    }

    private int readI32() {
        need(4);
        int p = (int) pos;
        pos += 4;
        return (buf[p] & 0xFF) | (buf[p + 1] & 0xFF) << 8 | (buf[p + 2] & 0xFF) << 16 | (buf[p + 3] & 0xFF) << 24;
    }

    private long readI64() {
        long low = readI32() & 0xFFFFFFFFL;  // each half checks its own 4 bytes
        return low | (long) readI32() << 32;
    }

    private float readF32() {
        return Float.intBitsToFloat(readI32());
    }

    private double readF64() {
        return Double.longBitsToDouble(readI64());
    }

    private String readString() {
        long at = pos;
        long len = readI64();
        if (len < 0 || len > remaining() || len > MAX_STRING_LENGTH) {
            throw fail(context + ": string length " + Long.toUnsignedString(len) + " at offset " + at
                    + " runs past the end of the file (" + size + " bytes)");
        }
        need(len);
        String s = new String(buf, (int) pos, (int) len, StandardCharsets.UTF_8);
        pos += len;
        return s;
    }

    private static long alignUp(long v, long alignment) {
        return (v + alignment - 1) / alignment * alignment;
    }

    private GgufException fail(String message) {
        return new GgufException(fileName + ": " + message);
    }
}
