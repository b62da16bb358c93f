package dev.hearth.server.backend;

/** A request named a model that is not loaded (HTTP 404). */
public final class UnknownModelException extends RuntimeException {
    private final String model;

    public UnknownModelException(String model) {
        this(model, "the model '" + model + "' does not exist or is not loaded");
    }

    public UnknownModelException(String model, String message) {
        super(message);
        this.model = model;
    }

    public String model() {
        return model;
    }
}
