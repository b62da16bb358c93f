package dev.hearth.gguf;

import dev.hearth.gguf.GgufValue.GgufArray;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** The key-value metadata of a GGUF file, in file order, with typed getters that name the key on failure. */
public final class GgufMetadata {
    private final Map<String, GgufValue> values;

    public GgufMetadata(Map<String, GgufValue> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public Map<String, GgufValue> asMap() {
        return values;
    }

    public Set<String> keys() {
        return values.keySet();
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    public GgufValue get(String key) {
        return values.get(key);
    }

    private GgufValue require(String key) {
        GgufValue v = values.get(key);
        if (v == null) {
            throw new GgufException("missing required metadata key '" + key + "'");
        }
        return v;
    }

    public String getString(String key) {
        GgufValue v = require(key);
        if (v.value() instanceof String s) {
            return s;
        }
        throw wrongType(key, v, "a string");
    }

    public String getString(String key, String fallback) {
        return has(key) ? getString(key) : fallback;
    }

    public long getLong(String key) {
        GgufValue v = require(key);
        return switch (v.value()) {
            case Integer i -> i;
            case Long l -> l;
            default -> throw wrongType(key, v, "an integer");
        };
    }

    public long getLong(String key, long fallback) {
        return has(key) ? getLong(key) : fallback;
    }

    /** An integer value that must fit an int and lie in [min, max]. */
    public int getInt(String key, int min, int max) {
        long v = getLong(key);
        if (v < min || v > max) {
            throw new GgufException("metadata key '" + key + "' = " + v + " is out of range [" + min + ", " + max + "]");
        }
        return (int) v;
    }

    public int getInt(String key, int min, int max, int fallback) {
        return has(key) ? getInt(key, min, max) : fallback;
    }

    public float getFloat(String key) {
        GgufValue v = require(key);
        return switch (v.value()) {
            case Float f -> f;
            case Double d -> d.floatValue();
            case Integer i -> i.floatValue();
            case Long l -> l.floatValue();
            default -> throw wrongType(key, v, "a number");
        };
    }

    public float getFloat(String key, float fallback) {
        return has(key) ? getFloat(key) : fallback;
    }

    public boolean getBoolean(String key, boolean fallback) {
        if (!has(key)) {
            return fallback;
        }
        GgufValue v = require(key);
        if (v.value() instanceof Boolean b) {
            return b;
        }
        throw wrongType(key, v, "a boolean");
    }

    public GgufArray getArray(String key) {
        GgufValue v = require(key);
        if (v.value() instanceof GgufArray a) {
            return a;
        }
        throw wrongType(key, v, "an array");
    }

    public String[] getStringArray(String key) {
        GgufArray a = getArray(key);
        if (a.values() instanceof String[] s) {
            return s;
        }
        throw new GgufException("metadata key '" + key + "' is an array of " + a.elementType() + ", expected strings");
    }

    public float[] getFloatArray(String key) {
        GgufArray a = getArray(key);
        return switch (a.values()) {
            case float[] f -> f;
            case double[] d -> {
                float[] f = new float[d.length];
                for (int i = 0; i < d.length; i++) {
                    f[i] = (float) d[i];
                }
                yield f;
            }
            default -> throw new GgufException("metadata key '" + key + "' is an array of " + a.elementType()
                    + ", expected floats");
        };
    }

    public int[] getIntArray(String key) {
        GgufArray a = getArray(key);
        return switch (a.values()) {
            case int[] i -> i;
            case long[] l -> {
                int[] r = new int[l.length];
                for (int i = 0; i < l.length; i++) {
                    if (l[i] < Integer.MIN_VALUE || l[i] > Integer.MAX_VALUE) {
                        throw new GgufException("metadata key '" + key + "'[" + i + "] = " + l[i] + " does not fit an int");
                    }
                    r[i] = (int) l[i];
                }
                yield r;
            }
            default -> throw new GgufException("metadata key '" + key + "' is an array of " + a.elementType()
                    + ", expected integers");
        };
    }

    private static GgufException wrongType(String key, GgufValue v, String expected) {
        return new GgufException("metadata key '" + key + "' has type " + v.type() + ", expected " + expected);
    }

    @Override
    public String toString() {
        return "GgufMetadata" + values.keySet();
    }
}
