package dev.hearth.server.hub;

import dev.hearth.gguf.GgmlType;
import dev.hearth.gguf.GgufValue;
import dev.hearth.gguf.GgufWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Small generated GGUF files (a toy llama) for hub tests; shards split the tensors between files. */
final class TinyGguf {
    static final int DIM = 64;
    static final int VOCAB = 4096;
    static final int LAYERS = 2;

    private TinyGguf() {}

    /** Parameter count of the toy model: embeddings + per layer two [DIM, DIM] matrices + output norm. */
    static long parameterCount() {
        return (long) DIM * VOCAB + LAYERS * 2L * DIM * DIM + DIM;
    }

    static byte[] model(long seed) throws IOException {
        return shards(seed, 1).getFirst();
    }

    /** The model split into {@code count} files, each a valid GGUF with split.* keys; metadata in the first. */
    static List<byte[]> shards(long seed, int count) throws IOException {
        List<String> names = new ArrayList<>();
        names.add("token_embd.weight");
        for (int l = 0; l < LAYERS; l++) {
            names.add("blk." + l + ".attn_q.weight");
            names.add("blk." + l + ".attn_k.weight");
        }
        names.add("output_norm.weight");
        List<byte[]> out = new ArrayList<>();
        Path dir = Files.createTempDirectory("tiny-gguf");
        for (int s = 0; s < count; s++) {
            GgufWriter w = new GgufWriter();
            if (s == 0) {
                w.putString("general.architecture", "llama");
                w.putString("general.name", "tiny");
                w.putUInt32("general.file_type", 0);
                w.putUInt32("llama.block_count", LAYERS);
                w.putUInt32("llama.embedding_length", DIM);
                w.putUInt32("llama.attention.head_count", 4);
                w.putUInt32("llama.attention.head_count_kv", 2);
                w.putUInt32("llama.context_length", 256);
                w.putUInt32("llama.vocab_size", VOCAB);
                w.putString("tokenizer.chat_template", "{{ messages }}");
            }
            if (count > 1) {
                w.put("split.no", GgufValue.ofUInt32(s));
                w.put("split.count", GgufValue.ofUInt32(count));
            }
            Random rnd = new Random(seed * 31 + s);
            for (int i = s; i < names.size(); i += count) {
                String n = names.get(i);
                long[] shape = n.startsWith("token_embd") ? new long[] {DIM, VOCAB}
                        : n.startsWith("output_norm") ? new long[] {DIM} : new long[] {DIM, DIM};
                long elements = 1;
                for (long d : shape) {
                    elements *= d;
                }
                ByteBuffer b = ByteBuffer.allocate((int) elements * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (long e = 0; e < elements; e++) {
                    b.putFloat((float) rnd.nextGaussian());
                }
                byte[] bytes = b.array();
                w.addTensor(n, GgmlType.F32, shape, o -> o.write(bytes));
            }
            Path p = dir.resolve("s" + s + ".gguf");
            w.write(p);
            out.add(Files.readAllBytes(p));
            Files.delete(p);
        }
        Files.delete(dir);
        return out;
    }
}
