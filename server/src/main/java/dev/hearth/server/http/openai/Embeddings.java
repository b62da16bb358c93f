package dev.hearth.server.http.openai;

import java.util.List;

/** The answer of {@code /v1/embeddings}. */
public record Embeddings(String object, List<Item> data, String model, Usage usage) {
    /** {@code embedding}: a float array, or with {@code encoding_format: base64} the little-endian float32 bytes. */
    public record Item(String object, int index, Object embedding) {}

    public record Usage(int promptTokens, int totalTokens) {}
}
