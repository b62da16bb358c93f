package dev.hearth.engine;

/**
 * The engine's model can no longer compute (a memory fault reading its mapped weights, or another JVM error in a
 * forward pass): every request to it fails with this until it is reloaded.
 */
public final class EngineFailedException extends IllegalStateException {
    private final String model;
    private final String reason;

    public EngineFailedException(String model, String reason) {
        super("the model '" + model + "' failed and cannot serve: " + reason);
        this.model = model;
        this.reason = reason;
    }

    /** Whether a generation's error text (a {@code Done} event's) says its model failed, not the request. */
    public static boolean describesModelFailure(String error) {
        return error != null && error.startsWith("the model '") && error.contains("' failed and cannot serve: ");
    }

    public String model() {
        return model;
    }

    public String reason() {
        return reason;
    }
}
