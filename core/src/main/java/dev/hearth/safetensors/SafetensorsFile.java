package dev.hearth.safetensors;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One memory-mapped safetensors file: an 8-byte little-endian header length, a JSON header naming each tensor's dtype,
 * shape and byte range, then the data. Nothing is copied to the heap; tensors are slices of the mapping, valid until
 * {@link #close()}.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** Headers larger than this are refused (real ones are well under 1 MiB per thousand tensors). */
    static final long MAX_HEADER_BYTES = 100L << 20;

    private final Path path;
    private final Arena arena;
    private final Map<String, SafetensorsTensor> tensors;

    private SafetensorsFile(Path path, Arena arena, Map<String, SafetensorsTensor> tensors) {
        this.path = path;
        this.arena = arena;
        this.tensors = tensors;
    }

    public static SafetensorsFile open(Path path) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            MemorySegment all = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            return new SafetensorsFile(path, arena, parse(all, path.toString()));
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    private static Map<String, SafetensorsTensor> parse(MemorySegment all, String file) {
        long size = all.byteSize();
        if (size < 8) {
            throw new SafetensorsException(file + ": file of " + size + " bytes is too short for a safetensors header");
        }
        long headerLength = all.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (headerLength < 2 || headerLength > MAX_HEADER_BYTES || headerLength > size - 8) {
            throw new SafetensorsException(file + ": header length " + headerLength + " at offset 0 does not fit the "
                    + size + "-byte file");
        }
        byte[] header = all.asSlice(8, headerLength).toArray(ValueLayout.JAVA_BYTE);
        if (!(MiniJson.parse(new String(header, StandardCharsets.UTF_8), file) instanceof Map<?, ?> root)) {
            throw new SafetensorsException(file + ": header is not a JSON object");
        }
        long dataStart = 8 + headerLength;
        long dataSize = size - dataStart;
        Map<String, SafetensorsTensor> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : root.entrySet()) {
            String name = (String) e.getKey();
            if (name.equals("__metadata__")) {
                continue;
            }
            if (!(e.getValue() instanceof Map<?, ?> info)) {
                throw new SafetensorsException(file + ": tensor '" + name + "' header entry is not an object");
            }
            if (!(info.get("dtype") instanceof String dtypeName)) {
                throw new SafetensorsException(file + ": tensor '" + name + "' has no dtype");
            }
            SafetensorsDtype dtype = SafetensorsDtype.of(dtypeName, name, file);
            long[] shape = longs(info.get("shape"), file, name, "shape");
            long[] range = longs(info.get("data_offsets"), file, name, "data_offsets");
            long elements = 1;
            for (long d : shape) {
                if (d < 0) {
                    throw new SafetensorsException(file + ": tensor '" + name + "' has negative dimension " + d);
                }
                elements = Math.multiplyExact(elements, d);
            }
            if (range.length != 2 || range[0] < 0 || range[1] < range[0] || range[1] > dataSize) {
                throw new SafetensorsException(file + ": tensor '" + name + "' data_offsets "
                        + java.util.Arrays.toString(range) + " lie outside the " + dataSize + "-byte data section");
            }
            if (range[1] - range[0] != elements * dtype.bytes()) {
                throw new SafetensorsException(file + ": tensor '" + name + "' spans " + (range[1] - range[0])
                        + " bytes, but shape " + java.util.Arrays.toString(shape) + " of " + dtype + " needs "
                        + elements * dtype.bytes());
            }
            out.put(name, new SafetensorsTensor(name, dtype, shape,
                    all.asSlice(dataStart + range[0], range[1] - range[0]), file));
        }
        return out;
    }

    private static long[] longs(Object v, String file, String tensor, String field) {
        if (!(v instanceof List<?> list)) {
            throw new SafetensorsException(file + ": tensor '" + tensor + "' field " + field + " is not an array");
        }
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(list.get(i) instanceof Long x)) {
                throw new SafetensorsException(file + ": tensor '" + tensor + "' field " + field
                        + " holds a non-integer " + list.get(i));
            }
            out[i] = x;
        }
        return out;
    }

    public Path path() {
        return path;
    }

    /** Tensors in header order. */
    public Map<String, SafetensorsTensor> tensors() {
        return java.util.Collections.unmodifiableMap(tensors);
    }

    @Override
    public void close() {
        arena.close();
    }
}
