package dev.hearth.server.http.openai;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code POST /v1/embeddings}: {@code input} is a string or an array of strings. */
public record EmbeddingRequest(String model, JsonNode input, String encodingFormat, Integer dimensions,
        String user) {}
