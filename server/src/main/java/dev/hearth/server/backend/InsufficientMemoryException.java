package dev.hearth.server.backend;

/**
 * Loading a model was refused because weights and KV cache would not fit in free memory, or the layers asked for on a
 * device in its memory (HTTP 507).
 */
public final class InsufficientMemoryException extends RuntimeException {
    private final String model;

    public InsufficientMemoryException(String model, long neededBytes, long freeBytes, String plan) {
        super(String.format("not enough memory to load the model '%s': it needs %s, %s are free (%s)", model,
                dev.hearth.server.hub.Bytes.format(neededBytes), dev.hearth.server.hub.Bytes.format(freeBytes), plan));
        this.model = model;
    }

    /** The model's layers do not fit the device they were asked on: {@code shortfall} names both numbers. */
    public InsufficientMemoryException(String model, String shortfall, String plan) {
        super(String.format("not enough device memory to load the model '%s': %s (%s)", model, shortfall, plan));
        this.model = model;
    }

    public String model() {
        return model;
    }
}
