package dev.hearth.server.http.openai;

import java.util.List;

/** The answer of {@code /v1/embeddings}. */
public record Embeddings(String object, List<Item> data, String model, Usage usage) {
    public record Item(String object, int index, float[] embedding) {}

    public record Usage(int promptTokens, int totalTokens) {}
}
