package dev.hearth.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.gguf.GgufValue.GgufArray;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded fuzzing of the reader: thousands of random byte flips, overwrites and truncations of a small valid file.
 * Each must either open (and then every tensor slice lies inside the file) or fail with a {@link GgufException};
 * anything else (another exception, an OutOfMemoryError, a hang) fails the test with the case's seed.
 */
class GgufFuzzTest {
    @TempDir
    Path dir;

    static byte[] smallValidFile(Path dir) throws Exception {
        Path p = dir.resolve("base.gguf");
        new GgufWriter()
                .putString("general.architecture", "llama")
                .putUInt32("llama.block_count", 2)
                .putFloat32("llama.rope.freq_base", 10000f)
                .putBool("tokenizer.ggml.add_bos_token", true)
                .putArray("tokenizer.ggml.tokens", GgufArray.ofStrings("a", "b", "c"))
                .putArray("tokenizer.ggml.scores", GgufArray.ofFloats(1, 2, 3))
                .putArray("x.nested", new GgufArray(GgufValueType.ARRAY, new GgufArray[] {GgufArray.ofInt32s(1, 2)}))
                .addTensor("t0", GgmlType.F32, new long[] {8}, o -> o.write(new byte[32]))
                .addTensor("t1", GgmlType.Q8_0, new long[] {32, 2}, o -> o.write(new byte[68]))
                .addTensor("t2", GgmlType.Q4_K, new long[] {256}, o -> o.write(new byte[144]))
                .write(p);
        return Files.readAllBytes(p);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void randomDamageOpensOrFailsWithGgufException() throws Exception {
        byte[] base = smallValidFile(dir);
        int headerEnd = base.length - 32 - 96 - 144; // roughly where tensor data starts: mutate the header mostly
        Path p = dir.resolve("fuzz.gguf");
        int opened = 0;
        int refused = 0;
        for (int iteration = 0; iteration < 4000; iteration++) {
            Random random = new Random(1234L * 7919 + iteration);
            byte[] b = mutate(base, headerEnd, random);
            Files.write(p, b);
            try (GgufFile f = GgufFile.open(p)) {
                for (GgufTensorInfo t : f.tensors()) {
                    var data = f.tensorData(t);
                    if (data.byteSize() > 0) {
                        data.get(ValueLayout.JAVA_BYTE, data.byteSize() - 1);
                    }
                    assertThat(f.dataOffset() + t.offset() + t.byteSize()).isLessThanOrEqualTo(f.fileSize());
                }
                for (String k : f.metadata().keys()) {
                    assertThat(f.metadata().get(k)).isNotNull();
                }
                opened++;
            } catch (GgufException e) {
                assertThat(e.getMessage()).as("iteration " + iteration).contains("fuzz.gguf");
                refused++;
            } catch (Throwable e) {
                throw new AssertionError("iteration " + iteration + " threw " + e, e);
            }
        }
        System.out.printf("fuzz: %d opened, %d refused with GgufException%n", opened, refused);
        assertThat(refused).as("refused").isGreaterThan(1000);
        assertThat(opened).as("opened").isGreaterThan(100);
    }

    static byte[] mutate(byte[] base, int headerEnd, Random random) {
        byte[] b = base.clone();
        switch (random.nextInt(4)) {
            case 0 -> { // flip a few bits
                for (int i = 0, n = 1 + random.nextInt(4); i < n; i++) {
                    int at = random.nextInt(random.nextInt(5) == 0 ? b.length : headerEnd);
                    b[at] ^= (byte) (1 << random.nextInt(8));
                }
            }
            case 1 -> { // overwrite a random byte
                b[random.nextInt(headerEnd)] = (byte) random.nextInt(256);
            }
            case 2 -> { // overwrite 8 bytes with a large or negative count/length/offset
                int at = random.nextInt(headerEnd - 8);
                long v = switch (random.nextInt(4)) {
                    case 0 -> -1L;
                    case 1 -> Long.MAX_VALUE;
                    case 2 -> 1L << (20 + random.nextInt(43));
                    default -> random.nextLong();
                };
                for (int i = 0; i < 8; i++) {
                    b[at + i] = (byte) (v >>> (8 * i));
                }
            }
            default -> { // truncate
                return java.util.Arrays.copyOf(b, random.nextInt(b.length));
            }
        }
        return b;
    }
}
