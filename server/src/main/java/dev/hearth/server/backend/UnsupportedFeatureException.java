package dev.hearth.server.backend;

/** The backend cannot do this (yet), e.g. embeddings before the model exposes hidden states (HTTP 501). */
public final class UnsupportedFeatureException extends RuntimeException {
    public UnsupportedFeatureException(String message) {
        super(message);
    }
}
