package dev.hearth.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.safetensors.SafetensorsTestWriter.Entry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The safetensors reader: dtypes, shapes, sharding, and damaged or unsupported files named in the error. */
class SafetensorsReadTest {
    @TempDir
    Path dir;

    static final float[] VALUES = {1.5f, -2.25f, 3.0e-3f, 65504f, -0.0f, 1.0e-8f};

    @Test
    void readsF32F16Bf16() throws Exception {
        SafetensorsTestWriter.write(dir.resolve("model.safetensors"), List.of(
                new Entry("a", "F32", new long[] {2, 3}, VALUES),
                new Entry("b", "F16", new long[] {3, 2}, VALUES),
                new Entry("c", "BF16", new long[] {6}, VALUES)));
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(dir)) {
            assertThat(c.tensors().keySet()).containsExactly("a", "b", "c");
            float[] out = new float[6];
            c.tensor("a").read(0, 6, out, 0);
            assertThat(out).containsExactly(VALUES);
            assertThat(c.tensor("a").shape()).containsExactly(2, 3);
            c.tensor("b").read(2, 4, out, 0);
            for (int i = 0; i < 4; i++) {
                assertThat(out[i]).isEqualTo(Float.float16ToFloat(Float.floatToFloat16(VALUES[i + 2])));
            }
            c.tensor("c").read(0, 6, out, 0);
            for (int i = 0; i < 6; i++) {
                int bits = Float.floatToRawIntBits(VALUES[i]) & 0xFFFF0000;
                assertThat(out[i]).isEqualTo(Float.intBitsToFloat(bits));
            }
            assertThatThrownBy(() -> c.tensor("a").read(4, 3, new float[3], 0))
                    .isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    @Test
    void readsShardsThroughTheIndex() throws Exception {
        List<Entry> entries = List.of(
                new Entry("x.weight", "F32", new long[] {2}, new float[] {1, 2}),
                new Entry("y.weight", "BF16", new long[] {1, 2}, new float[] {3, 4}),
                new Entry("z.weight", "F16", new long[] {2}, new float[] {5, 6}));
        SafetensorsTestWriter.writeSharded(dir, entries, 2);
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(dir)) {
            assertThat(c.tensors().keySet()).containsExactlyInAnyOrder("x.weight", "y.weight", "z.weight");
            float[] out = new float[2];
            c.tensor("z.weight").read(0, 2, out, 0);
            assertThat(out).containsExactly(5, 6);
            assertThat(c.tensor("y.weight").file()).endsWith("model-00002-of-00002.safetensors");
        }
        Files.delete(dir.resolve("model-00002-of-00002.safetensors"));
        assertThatThrownBy(() -> SafetensorsCheckpoint.open(dir)).hasMessageContaining("model-00002-of-00002")
                .hasMessageContaining("missing");
    }

    @Test
    void unsupportedDtypeNamesTheTensor() throws Exception {
        SafetensorsTestWriter.write(dir.resolve("model.safetensors"), List.of(
                new Entry("ids", "I32", new long[] {2}, new float[] {1, 2})));
        assertThatThrownBy(() -> SafetensorsCheckpoint.open(dir)).isInstanceOf(SafetensorsException.class)
                .hasMessageContaining("'ids'").hasMessageContaining("I32");
    }

    @Test
    void damagedFilesAreRefused() throws Exception {
        Path f = dir.resolve("model.safetensors");
        Files.write(f, new byte[] {1, 2, 3});
        assertThatThrownBy(() -> SafetensorsFile.open(f)).hasMessageContaining("too short");
        Files.write(f, new byte[] {(byte) 0xFF, 0, 0, 0, 0, 0, 0, 0, '{', '}'});
        assertThatThrownBy(() -> SafetensorsFile.open(f)).hasMessageContaining("header length 255");
        SafetensorsTestWriter.write(f, List.of(new Entry("w", "F32", new long[] {4}, new float[] {1, 2, 3, 4})));
        byte[] bytes = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(bytes, bytes.length - 4));
        assertThatThrownBy(() -> SafetensorsFile.open(f)).hasMessageContaining("'w'")
                .hasMessageContaining("data_offsets");
        Files.write(f, java.util.Arrays.copyOf(bytes, bytes.length));
        String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1).replace("[4]", "[5]");
        Files.write(f, text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> SafetensorsFile.open(f)).hasMessageContaining("'w'").hasMessageContaining("needs 20");
        Files.delete(f);
        assertThatThrownBy(() -> SafetensorsCheckpoint.open(dir)).hasMessageContaining("no safetensors weights");
    }
}
