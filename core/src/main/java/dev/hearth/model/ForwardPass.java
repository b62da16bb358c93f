package dev.hearth.model;

import dev.hearth.kv.KvCache;

/**
 * The seam between the engine and a compute device: what the engine calls once per batch step. Each row's key and
 * value are stored at its position in its sequence's blocks (the cache's block tables, wherever the blocks' bytes
 * live), each row attends causally over its sequence, and the rows that ask for logits get them in {@code logits}.
 * The CPU {@link Transformer} is one implementation; a GPU backend (module {@code gpu}) another. One caller at a time.
 */
public interface ForwardPass extends AutoCloseable {
    void forward(Batch batch, KvCache kv, Logits logits);

    /** The most rows one call takes. */
    int maxBatch();

    /** Where the pass runs, for people: "cpu", "vulkan:0 (NVIDIA H200)". */
    String device();

    /** Frees what the pass holds on its device; the CPU pass holds nothing of its own. */
    @Override
    void close();
}
