package dev.hearth.safetensors;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Writes safetensors files for tests: one file, or shards with a model.safetensors.index.json. */
public final class SafetensorsTestWriter {
    /** One tensor: dtype name as the header spells it (F32, F16, BF16, or anything else to test errors). */
    public record Entry(String name, String dtype, long[] shape, float[] values) {}

    private SafetensorsTestWriter() {}

    public static void write(Path file, List<Entry> entries) throws IOException {
        StringBuilder header = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long offset = 0;
        for (Entry e : entries) {
            long bytes = (long) e.values().length * (e.dtype().equals("F32") || e.dtype().equals("I32") ? 4 : 2);
            header.append(",\"").append(e.name()).append("\":{\"dtype\":\"").append(e.dtype())
                    .append("\",\"shape\":").append(Arrays.toString(e.shape()).replace(" ", ""))
                    .append(",\"data_offsets\":[").append(offset).append(',').append(offset + bytes).append("]}");
            offset += bytes;
        }
        header.append('}');
        while ((header.length() + 8) % 8 != 0) {
            header.append(' ');
        }
        byte[] h = header.toString().getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length);
            out.write(len.array());
            out.write(h);
            for (Entry e : entries) {
                out.write(encode(e));
            }
        }
    }

    static byte[] encode(Entry e) {
        boolean wide = e.dtype().equals("F32") || e.dtype().equals("I32");
        ByteBuffer b = ByteBuffer.allocate(e.values().length * (wide ? 4 : 2)).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : e.values()) {
            switch (e.dtype()) {
                case "F32", "I32" -> b.putFloat(v);
                case "F16" -> b.putShort(Float.floatToFloat16(v));
                default -> b.putShort((short) (Float.floatToRawIntBits(v) >>> 16)); // BF16 by truncation
            }
        }
        return b.array();
    }

    /** Splits the entries over {@code shards} files named as transformers names them, plus the index. */
    public static void writeSharded(Path dir, List<Entry> entries, int shards) throws IOException {
        StringBuilder index = new StringBuilder("{\"metadata\":{\"total_size\":0},\"weight_map\":{");
        for (int s = 0; s < shards; s++) {
            String name = String.format("model-%05d-of-%05d.safetensors", s + 1, shards);
            List<Entry> part = new ArrayList<>();
            for (int i = s; i < entries.size(); i += shards) {
                part.add(entries.get(i));
                index.append(index.charAt(index.length() - 1) == '{' ? "" : ",")
                        .append('"').append(entries.get(i).name()).append("\":\"").append(name).append('"');
            }
            write(dir.resolve(name), part);
        }
        index.append("}}");
        Files.writeString(dir.resolve("model.safetensors.index.json"), index);
    }
}
