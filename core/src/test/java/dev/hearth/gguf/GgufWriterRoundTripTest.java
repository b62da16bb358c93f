package dev.hearth.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.gguf.GgufValue.GgufArray;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every metadata value type, arrays of arrays, several tensor types and alignments: written, read back, equal. */
class GgufWriterRoundTripTest {
    @TempDir
    Path dir;

    static Map<String, GgufValue> everyValueType() {
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put("v.uint8", new GgufValue(GgufValueType.UINT8, 255));
        m.put("v.int8", new GgufValue(GgufValueType.INT8, -128));
        m.put("v.uint16", new GgufValue(GgufValueType.UINT16, 65535));
        m.put("v.int16", new GgufValue(GgufValueType.INT16, -32768));
        m.put("v.uint32", new GgufValue(GgufValueType.UINT32, 4294967295L));
        m.put("v.int32", new GgufValue(GgufValueType.INT32, Integer.MIN_VALUE));
        m.put("v.float32", new GgufValue(GgufValueType.FLOAT32, -1.5e-7f));
        m.put("v.bool", new GgufValue(GgufValueType.BOOL, true));
        m.put("v.bool.false", new GgufValue(GgufValueType.BOOL, false));
        m.put("v.string", GgufValue.ofString("héllo {{ messages }} \u0000 ✓"));
        m.put("v.string.empty", GgufValue.ofString(""));
        m.put("v.uint64", new GgufValue(GgufValueType.UINT64, -1L));
        m.put("v.int64", new GgufValue(GgufValueType.INT64, Long.MIN_VALUE));
        m.put("v.float64", new GgufValue(GgufValueType.FLOAT64, Math.PI));
        m.put("a.uint8", GgufValue.ofArray(new GgufArray(GgufValueType.UINT8, new int[] {0, 1, 255})));
        m.put("a.int8", GgufValue.ofArray(new GgufArray(GgufValueType.INT8, new int[] {-1, 127})));
        m.put("a.uint16", GgufValue.ofArray(new GgufArray(GgufValueType.UINT16, new int[] {65535})));
        m.put("a.int16", GgufValue.ofArray(new GgufArray(GgufValueType.INT16, new int[] {-2, 3})));
        m.put("a.uint32", GgufValue.ofArray(new GgufArray(GgufValueType.UINT32, new long[] {4294967295L, 0})));
        m.put("a.int32", GgufValue.ofArray(GgufArray.ofInt32s(1, -2, 3)));
        m.put("a.uint64", GgufValue.ofArray(new GgufArray(GgufValueType.UINT64, new long[] {-1L, 5})));
        m.put("a.int64", GgufValue.ofArray(new GgufArray(GgufValueType.INT64, new long[] {Long.MIN_VALUE})));
        m.put("a.float32", GgufValue.ofArray(GgufArray.ofFloats(1.25f, Float.NaN, Float.NEGATIVE_INFINITY)));
        m.put("a.float64", GgufValue.ofArray(new GgufArray(GgufValueType.FLOAT64, new double[] {-0.0, 1e300})));
        m.put("a.bool", GgufValue.ofArray(new GgufArray(GgufValueType.BOOL, new boolean[] {true, false, true})));
        m.put("a.string", GgufValue.ofArray(GgufArray.ofStrings("a", "", "Ġhello")));
        m.put("a.empty", GgufValue.ofArray(GgufArray.ofStrings()));
        GgufArray inner1 = GgufArray.ofInt32s(1, 2, 3);
        GgufArray inner2 = GgufArray.ofStrings("x", "y");
        GgufArray deeper = new GgufArray(GgufValueType.ARRAY, new GgufArray[] {GgufArray.ofFloats(0.5f)});
        m.put("a.arrays", GgufValue.ofArray(new GgufArray(GgufValueType.ARRAY, new GgufArray[] {inner1, inner2, deeper})));
        return m;
    }

    @ParameterizedTest(name = "alignment {0}")
    @ValueSource(ints = {0, 1, 8, 32, 64, 4096})
    void writtenThenReadBackEqual(int alignment) throws Exception {
        GgufWriter w = new GgufWriter();
        Map<String, GgufValue> metadata = everyValueType();
        if (alignment > 0) {
            metadata.put(GgufKeys.GENERAL_ALIGNMENT, GgufValue.ofUInt32(alignment));
        }
        metadata.forEach(w::put);
        Object[][] tensors = {
            {"f32", GgmlType.F32, new long[] {7}},
            {"f16", GgmlType.F16, new long[] {3, 5}},
            {"q8", GgmlType.Q8_0, new long[] {64, 3}},
            {"q4k", GgmlType.Q4_K, new long[] {256, 2}},
            {"q6k.exps", GgmlType.Q6_K, new long[] {256, 1, 2}},
            {"bf16", GgmlType.BF16, new long[] {1}},
            {"q4_0", GgmlType.Q4_0, new long[] {32, 1, 1, 3}},
        };
        Map<String, byte[]> contents = new LinkedHashMap<>();
        Random random = new Random(alignment);
        for (Object[] t : tensors) {
            long elements = 1;
            for (long d : (long[]) t[2]) {
                elements *= d;
            }
            byte[] bytes = new byte[(int) ((GgmlType) t[1]).byteSize(elements)];
            random.nextBytes(bytes);
            contents.put((String) t[0], bytes);
            w.addTensor((String) t[0], (GgmlType) t[1], (long[]) t[2], o -> o.write(bytes));
        }
        Path p = dir.resolve("rt.gguf");
        w.write(p);
        int effective = alignment == 0 ? 32 : alignment;
        try (GgufFile f = GgufFile.open(p)) {
            assertThat(f.version()).isEqualTo(3);
            assertThat(f.alignment()).isEqualTo(effective);
            assertThat(f.dataOffset() % effective).isZero();
            assertThat(f.metadata().asMap()).containsExactlyEntriesOf(metadata);
            assertThat(f.tensors()).hasSize(tensors.length);
            for (int i = 0; i < tensors.length; i++) {
                GgufTensorInfo t = f.tensors().get(i);
                assertThat(t.name()).isEqualTo(tensors[i][0]);
                assertThat(t.type()).isEqualTo(tensors[i][1]);
                assertThat(t.shape()).isEqualTo((long[]) tensors[i][2]);
                assertThat(t.offset() % effective).isZero();
                assertThat(f.tensorData(t).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE))
                        .isEqualTo(contents.get(t.name()));
            }
            assertThat(f.fileSize() % effective).isZero();
        }
    }
}
