package dev.hearth.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Damaged and hostile GGUF files: each is refused with a {@link GgufException} whose message names the key, tensor
 * or offset at fault, never an OutOfMemoryError, a hang or another exception.
 */
class GgufDamageTest {
    @TempDir
    Path dir;

    static final int F32 = 0;
    static final int Q8_0 = 8;

    /** Positions inside {@link #valid()}, for truncations. */
    record Valid(byte[] bytes, int insideKey, int insideStringValue, int insideDirectory, int insideData) {}

    /** A small valid file: 3 keys (string, uint32, array of strings), an F32 [8] and a Q8_0 [32, 2] tensor. */
    static Valid valid() {
        RawGguf g = RawGguf.header(2, 3);
        int insideKey = g.position() + 8 + 4; // inside "general.architecture"
        g.str("general.architecture").u32(RawGguf.STRING);
        int insideString = g.position() + 8 + 2;
        g.str("llama");
        g.kvUInt32("llama.block_count", 2);
        g.str("tokenizer.ggml.tokens").u32(RawGguf.ARRAY).u32(RawGguf.STRING).u64(2).str("a").str("b");
        int insideDirectory = g.position() + 5;
        g.tensor("t0", F32, 0, 8).tensor("t1", Q8_0, 32, 32, 2).padTo(32);
        int insideData = g.position() + 50;
        g.zeros(32 + 68);
        return new Valid(g.bytes(), insideKey, insideString, insideDirectory, insideData);
    }

    /** The same keys without tensors; insideDirectory here points inside the last array. */
    static Valid validKeysOnly() {
        RawGguf g = RawGguf.header(0, 3);
        g.str("general.architecture").u32(RawGguf.STRING);
        int insideString = g.position() + 8 + 2;
        g.str("llama");
        g.kvUInt32("llama.block_count", 2);
        g.str("tokenizer.ggml.tokens").u32(RawGguf.ARRAY).u32(RawGguf.STRING).u64(2).str("a");
        int insideArray = g.position() + 4;
        g.str("b");
        return new Valid(g.bytes(), -1, insideString, insideArray, -1);
    }

    static Arguments damage(String kind, byte[] bytes, String... messageParts) {
        return Arguments.of(kind, bytes, messageParts);
    }

    /** Header with one key or tensor, for the cases below. */
    static RawGguf oneTensor(int typeId, long offset, long... dims) {
        return RawGguf.header(1, 0).tensor("blk.0.attn_q.weight", typeId, offset, dims).padTo(32);
    }

    static Stream<Arguments> damages() {
        Valid v = valid();
        List<Arguments> d = new ArrayList<>();
        d.add(damage("empty file", new byte[0], "too short"));
        d.add(damage("truncated inside the version", Arrays.copyOf(v.bytes, 6), "truncated", "version", "offset 4"));
        d.add(damage("truncated inside the tensor count", Arrays.copyOf(v.bytes, 10), "truncated", "tensor count",
                "offset 8"));
        d.add(damage("truncated inside the counts", Arrays.copyOf(v.bytes, 20), "truncated", "metadata count"));
        d.add(damage("truncated with tensors announced", Arrays.copyOf(v.bytes, v.insideKey), "tensor count 2"));
        // without tensors, a truncated key or value is what the parser trips on
        Valid kvOnly = validKeysOnly();
        d.add(damage("truncated inside a key", Arrays.copyOf(RawGguf.header(0, 1).kvString("general.architecture",
                "llama").bytes(), 24 + 8 + 10), "metadata key #0", "string length 20 at offset 24"));
        d.add(damage("truncated inside a string value", Arrays.copyOf(kvOnly.bytes, kvOnly.insideStringValue),
                "'general.architecture'", "string length 5"));
        d.add(damage("truncated inside an array", Arrays.copyOf(kvOnly.bytes, kvOnly.insideDirectory),
                "'tokenizer.ggml.tokens'"));
        d.add(damage("truncated inside the tensor directory", Arrays.copyOf(v.bytes, v.insideDirectory),
                "tensor info #0"));
        d.add(damage("truncated inside the tensor data", Arrays.copyOf(v.bytes, v.insideData), "'t1'",
                "past the end of the file"));
        d.add(damage("tensor data past the end", oneTensor(F32, 1 << 20, 8).zeros(32).bytes(),
                "'blk.0.attn_q.weight'", "past the end"));
        d.add(damage("overlapping tensors", RawGguf.header(2, 0).tensor("a", F32, 0, 16).tensor("b", F32, 32, 16)
                .padTo(32).zeros(128).bytes(), "'a' and 'b' overlap", "offset 32"));
        d.add(damage("absurd tensor count", RawGguf.header(1L << 40, 0).zeros(64).bytes(), "tensor count 1099511627776"));
        d.add(damage("negative tensor count", RawGguf.header(-1, 0).zeros(64).bytes(), "tensor count 18446744073709551615"));
        d.add(damage("absurd kv count", RawGguf.header(0, 1L << 50).zeros(64).bytes(), "metadata count"));
        d.add(damage("absurd key length", RawGguf.header(0, 1).u64(1L << 62).zeros(16).bytes(), "metadata key #0",
                "string length 4611686018427387904", "offset 24"));
        d.add(damage("absurd string value length", RawGguf.header(0, 1).str("general.name").u32(RawGguf.STRING)
                .u64(Long.MAX_VALUE).zeros(16).bytes(), "'general.name'", "string length"));
        d.add(damage("absurd array count", RawGguf.header(0, 1).str("tokenizer.ggml.scores").u32(RawGguf.ARRAY)
                .u32(6).u64(1L << 40).zeros(64).bytes(), "'tokenizer.ggml.scores'", "array of 1099511627776 FLOAT32"));
        d.add(damage("unknown value type id", RawGguf.header(0, 1).str("general.name").u32(13).zeros(16).bytes(),
                "'general.name'", "unknown value type 13"));
        d.add(damage("unknown array element type", RawGguf.header(0, 1).str("x.arr").u32(RawGguf.ARRAY).u32(99)
                .u64(1).zeros(16).bytes(), "'x.arr'", "unknown element type 99"));
        d.add(damage("unknown tensor type id", oneTensor(4, 0, 32).zeros(64).bytes(), "'blk.0.attn_q.weight'",
                "unknown type id 4"));
        d.add(damage("dimension product overflow", oneTensor(F32, 0, 1L << 32, 1L << 32).zeros(64).bytes(),
                "'blk.0.attn_q.weight'", "overflows"));
        d.add(damage("byte size overflow", oneTensor(F32, 0, 1L << 31, 1L << 31).zeros(64).bytes(),
                "'blk.0.attn_q.weight'", "byte size overflows"));
        d.add(damage("negative dimension", oneTensor(F32, 0, 8, -2).zeros(64).bytes(), "'blk.0.attn_q.weight'",
                "dimension 1 is negative"));
        d.add(damage("too many dimensions", oneTensor(F32, 0, 1, 1, 1, 1, 1).zeros(64).bytes(),
                "'blk.0.attn_q.weight'", "5 dimensions"));
        d.add(damage("zero dimensions", oneTensor(F32, 0).zeros(64).bytes(), "'blk.0.attn_q.weight'", "0 dimensions"));
        byte[] badMagic = v.bytes.clone();
        badMagic[0] = 'X';
        d.add(damage("bad magic", badMagic, "bad magic", "offset 0"));
        d.add(damage("unsupported version", new RawGguf().u32(GgufHeaderParser.MAGIC).u32(4).u64(0).u64(0).bytes(),
                "unsupported GGUF version 4"));
        d.add(damage("version 1", new RawGguf().u32(GgufHeaderParser.MAGIC).u32(1).u64(0).u64(0).bytes(),
                "unsupported GGUF version 1"));
        d.add(damage("alignment not a power of two", RawGguf.header(0, 1).kvUInt32("general.alignment", 48).bytes(),
                "'general.alignment' = 48"));
        d.add(damage("alignment zero", RawGguf.header(0, 1).kvUInt32("general.alignment", 0).bytes(),
                "'general.alignment' = 0"));
        d.add(damage("alignment of the wrong type", RawGguf.header(0, 1).kvString("general.alignment", "32").bytes(),
                "'general.alignment'", "STRING"));
        d.add(damage("misaligned tensor offset", RawGguf.header(2, 0).tensor("a", F32, 0, 8).tensor("b", F32, 40, 8)
                .padTo(32).zeros(128).bytes(), "'b'", "offset 40", "alignment 32"));
        d.add(damage("duplicate key", RawGguf.header(0, 2).kvString("general.name", "a").kvString("general.name", "b")
                .bytes(), "duplicate metadata key 'general.name'", "offset 57"));
        d.add(damage("duplicate tensor name", RawGguf.header(2, 0).tensor("t", F32, 0, 8).tensor("t", F32, 32, 8)
                .padTo(32).zeros(64).bytes(), "duplicate tensor name 't'"));
        RawGguf deep = RawGguf.header(0, 1).str("x.deep").u32(RawGguf.ARRAY);
        for (int i = 0; i < 20; i++) {
            deep.u32(RawGguf.ARRAY).u64(1);
        }
        d.add(damage("arrays nested too deep", deep.u32(RawGguf.UINT32).u64(0).zeros(64).bytes(), "'x.deep'",
                "nested deeper than 8"));
        d.add(damage("invalid bool byte", RawGguf.header(0, 1).str("tokenizer.ggml.add_bos_token").u32(RawGguf.BOOL)
                .u8(2).bytes(), "'tokenizer.ggml.add_bos_token'", "boolean byte 2", "offset 64"));
        d.add(damage("invalid bool in an array", RawGguf.header(0, 1).str("x.flags").u32(RawGguf.ARRAY)
                .u32(RawGguf.BOOL).u64(3).u8(1).u8(0).u8(7).bytes(), "'x.flags'", "boolean byte 7"));
        d.add(damage("row length not a multiple of the block size", oneTensor(Q8_0, 0, 48, 2).zeros(256).bytes(),
                "'blk.0.attn_q.weight'", "row length 48", "Q8_0 block size 32"));
        d.add(damage("data section past the end", RawGguf.header(1, 0).tensor("t", F32, 0, 0).bytes(),
                "tensor data section starts at offset"));
        return d.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("damages")
    void damagedFilesAreRefusedNamingWhatAndWhere(String kind, byte[] bytes, String[] messageParts) throws Exception {
        Path p = RawGguf.write(dir, "damaged.gguf", bytes);
        assertThatThrownBy(() -> {
            try (GgufFile f = GgufFile.open(p)) {
                // opened: the test fails below
            }
        }).as(kind).isInstanceOf(GgufException.class).hasMessageContaining("damaged.gguf")
                .hasMessageContainingAll(messageParts);
    }

    @Test
    void theUndamagedBaseOpens() throws Exception {
        Path p = RawGguf.write(dir, "valid.gguf", valid().bytes);
        try (GgufFile f = GgufFile.open(p)) {
            assertThat(f.tensors()).hasSize(2);
            assertThat(f.metadata().getString("general.architecture")).isEqualTo("llama");
            assertThat(f.tensor("t1").byteSize()).isEqualTo(68);
        }
    }

    @Test
    void missingAndMistypedKeysAreNamed() throws Exception {
        Path p = RawGguf.write(dir, "valid.gguf", valid().bytes);
        try (GgufFile f = GgufFile.open(p)) {
            GgufMetadata m = f.metadata();
            assertThatThrownBy(() -> m.getString("general.name")).isInstanceOf(GgufException.class)
                    .hasMessageContaining("missing required metadata key 'general.name'");
            assertThatThrownBy(() -> m.getLong("llama.context_length")).isInstanceOf(GgufException.class)
                    .hasMessageContaining("'llama.context_length'");
            assertThatThrownBy(() -> m.getFloat("llama.rope.freq_base")).isInstanceOf(GgufException.class)
                    .hasMessageContaining("'llama.rope.freq_base'");
            assertThatThrownBy(() -> m.getArray("tokenizer.ggml.merges")).isInstanceOf(GgufException.class)
                    .hasMessageContaining("'tokenizer.ggml.merges'");
            assertThatThrownBy(() -> m.getLong("general.architecture")).isInstanceOf(GgufException.class)
                    .hasMessageContaining("'general.architecture' has type STRING, expected an integer");
            assertThatThrownBy(() -> m.getInt("llama.block_count", 3, 10)).isInstanceOf(GgufException.class)
                    .hasMessageContaining("'llama.block_count' = 2 is out of range");
            assertThatThrownBy(() -> m.getFloatArray("tokenizer.ggml.tokens")).isInstanceOf(GgufException.class)
                    .hasMessageContaining("'tokenizer.ggml.tokens' is an array of STRING");
            assertThatThrownBy(() -> f.tensor("output.weight")).isInstanceOf(GgufException.class)
                    .hasMessageContaining("missing tensor 'output.weight'");
        }
    }
}
