package dev.hearth.gguf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds GGUF bytes field by field, so tests can write any damage a hostile file could hold. */
final class RawGguf {
    static final int STRING = 8;
    static final int ARRAY = 9;
    static final int UINT32 = 4;
    static final int BOOL = 7;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static RawGguf header(long tensors, long kvs) {
        return new RawGguf().u32(GgufHeaderParser.MAGIC).u32(3).u64(tensors).u64(kvs);
    }

    RawGguf u8(int v) {
        out.write(v);
        return this;
    }

    RawGguf u32(long v) {
        for (int i = 0; i < 4; i++) {
            out.write((int) (v >>> (8 * i)));
        }
        return this;
    }

    RawGguf u64(long v) {
        for (int i = 0; i < 8; i++) {
            out.write((int) (v >>> (8 * i)));
        }
        return this;
    }

    RawGguf str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        u64(b.length);
        out.writeBytes(b);
        return this;
    }

    /** A key with a string value. */
    RawGguf kvString(String key, String value) {
        return str(key).u32(STRING).str(value);
    }

    RawGguf kvUInt32(String key, long value) {
        return str(key).u32(UINT32).u32(value);
    }

    /** A tensor directory entry: name, dims (GGML order), type id, offset. */
    RawGguf tensor(String name, int typeId, long offset, long... dims) {
        str(name).u32(dims.length);
        for (long d : dims) {
            u64(d);
        }
        return u32(typeId).u64(offset);
    }

    RawGguf padTo(int alignment) {
        while (out.size() % alignment != 0) {
            out.write(0);
        }
        return this;
    }

    RawGguf zeros(int n) {
        out.writeBytes(new byte[n]);
        return this;
    }

    int position() {
        return out.size();
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    static Path write(Path dir, String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }
}
