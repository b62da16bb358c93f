package dev.hearth.gguf;

import java.util.Arrays;
import java.util.Objects;

/**
 * One metadata value with its stored type. Java representation by type: UINT8, INT8, UINT16, INT16, INT32 as
 * {@link Integer}; UINT32, INT64, UINT64 as {@link Long} (UINT64 as its raw bits); FLOAT32 as {@link Float};
 * FLOAT64 as {@link Double}; BOOL as {@link Boolean}; STRING as {@link String}; ARRAY as {@link GgufArray}.
 */
public record GgufValue(GgufValueType type, Object value) {

    public GgufValue {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
    }

    public static GgufValue ofString(String s) {
        return new GgufValue(GgufValueType.STRING, s);
    }

    public static GgufValue ofUInt32(long v) {
        return new GgufValue(GgufValueType.UINT32, v);
    }

    public static GgufValue ofInt32(int v) {
        return new GgufValue(GgufValueType.INT32, v);
    }

    public static GgufValue ofUInt64(long v) {
        return new GgufValue(GgufValueType.UINT64, v);
    }

    public static GgufValue ofFloat32(float v) {
        return new GgufValue(GgufValueType.FLOAT32, v);
    }

    public static GgufValue ofBool(boolean v) {
        return new GgufValue(GgufValueType.BOOL, v);
    }

    public static GgufValue ofArray(GgufArray array) {
        return new GgufValue(GgufValueType.ARRAY, array);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufValue(GgufValueType t, Object v) && t == type && deepEquals(v, value);
    }

    @Override
    public int hashCode() {
        return type.hashCode();
    }

    static boolean deepEquals(Object a, Object b) {
        if (a instanceof GgufArray x && b instanceof GgufArray y) {
            return x.equals(y);
        }
        return Objects.equals(a, b);
    }

    @Override
    public String toString() {
        return type == GgufValueType.ARRAY ? value.toString() : type + ":" + value;
    }

    /** An array value: {@code values} is int[], long[], float[], double[], boolean[], String[] or GgufArray[]. */
    public record GgufArray(GgufValueType elementType, Object values) {
        public int length() {
            return java.lang.reflect.Array.getLength(values);
        }

        public static GgufArray ofStrings(String... s) {
            return new GgufArray(GgufValueType.STRING, s);
        }

        public static GgufArray ofFloats(float... f) {
            return new GgufArray(GgufValueType.FLOAT32, f);
        }

        public static GgufArray ofInt32s(int... i) {
            return new GgufArray(GgufValueType.INT32, i);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof GgufArray(GgufValueType t, Object v) && t == elementType
                    && Arrays.deepEquals(new Object[] {v}, new Object[] {values});
        }

        @Override
        public int hashCode() {
            return elementType.hashCode() * 31 + length();
        }

        @Override
        public String toString() {
            return "ARRAY<" + elementType + ">[" + length() + "]";
        }
    }
}
