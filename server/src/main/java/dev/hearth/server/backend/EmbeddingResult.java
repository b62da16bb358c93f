package dev.hearth.server.backend;

import java.util.List;

/**
 * The embeddings of a request's inputs, in input order.
 *
 * @param model the model's canonical name
 * @param promptTokens tokens of all inputs together
 */
public record EmbeddingResult(String model, List<float[]> vectors, int promptTokens) {
    public EmbeddingResult {
        vectors = List.copyOf(vectors);
    }
}
