package dev.hearth.server.convert;

import java.nio.charset.StandardCharsets;

/**
 * A cursor over protobuf wire-format bytes (proto2: varint, fixed64, length-delimited, fixed32), enough to read a
 * SentencePiece {@code tokenizer.model} without a protobuf library. Every failure names the file and the byte offset.
 */
final class ProtoWire {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int FIXED32 = 5;

    private final byte[] bytes;
    private final String file;
    private int position;
    private final int end;
    private int wireType = -1;

    ProtoWire(byte[] bytes, String file) {
        this(bytes, file, 0, bytes.length);
    }

    private ProtoWire(byte[] bytes, String file, int start, int end) {
        this.bytes = bytes;
        this.file = file;
        this.position = start;
        this.end = end;
    }

    boolean hasMore() {
        return position < end;
    }

    int position() {
        return position;
    }

    /** The next field's number; its wire type is checked by the read that follows. */
    int nextField() {
        int at = position;
        long key = varint();
        int field = (int) (key >>> 3);
        wireType = (int) (key & 7);
        if (field <= 0 || wireType == 3 || wireType == 4 || wireType > 5) {
            throw error(at, "bad field key " + key + " (field " + field + ", wire type " + wireType + ")");
        }
        return field;
    }

    /** An int32/int64/enum/bool field (negative int32 values are ten-byte varints). */
    long readVarint(String name) {
        expect(VARINT, name);
        return varint();
    }

    int readInt32(String name) {
        return (int) readVarint(name);
    }

    boolean readBool(String name) {
        return readVarint(name) != 0;
    }

    float readFloat(String name) {
        expect(FIXED32, name);
        require(4, name);
        int bits = (bytes[position] & 0xff) | (bytes[position + 1] & 0xff) << 8 | (bytes[position + 2] & 0xff) << 16
                | (bytes[position + 3] & 0xff) << 24;
        position += 4;
        return Float.intBitsToFloat(bits);
    }

    String readString(String name) {
        int length = lengthOf(name);
        String s = new String(bytes, position, length, StandardCharsets.UTF_8);
        position += length;
        return s;
    }

    /** A nested message, as a cursor over its bytes; this cursor moves past it. */
    ProtoWire readMessage(String name) {
        int length = lengthOf(name);
        ProtoWire nested = new ProtoWire(bytes, file, position, position + length);
        position += length;
        return nested;
    }

    /** Skips the value of the field just read by {@link #nextField()}. */
    void skip() {
        switch (wireType) {
            case VARINT -> varint();
            case FIXED64 -> {
                require(8, "fixed64 value");
                position += 8;
            }
            case LENGTH_DELIMITED -> {
                int length = lengthOf("length-delimited value"); // moves past the length varint first
                position += length;
            }
            case FIXED32 -> {
                require(4, "fixed32 value");
                position += 4;
            }
            default -> throw error(position, "no field to skip");
        }
    }

    IllegalArgumentException error(int at, String message) {
        return new IllegalArgumentException(file + ": not a SentencePiece model (protobuf): " + message
                + " at byte offset " + at);
    }

    private int lengthOf(String name) {
        expect(LENGTH_DELIMITED, name);
        int at = position;
        long length = varint();
        if (length < 0 || length > end - position) {
            throw error(at, name + " has length " + length + ", past the end of its message (" + (end - position)
                    + " bytes left)");
        }
        return (int) length;
    }

    private void expect(int type, String name) {
        if (wireType != type) {
            throw error(position, name + " has wire type " + wireType + ", expected " + type);
        }
    }

    private void require(int count, String name) {
        if (end - position < count) {
            throw error(position, name + " is truncated");
        }
    }

    private long varint() {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (position >= end) {
                throw error(position, "truncated varint");
            }
            byte b = bytes[position++];
            value |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return value;
            }
        }
        throw error(position, "varint longer than ten bytes");
    }
}
