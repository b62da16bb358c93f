package dev.hearth.engine;

/**
 * @param maxWaiting the bounded wait queue; beyond it submit refuses with {@link EngineOverloadedException}
 * @param name used for the engine thread's name
 */
public record EngineOptions(String name, int maxWaiting) {
    public EngineOptions {
        if (maxWaiting < 0) {
            throw new IllegalArgumentException("maxWaiting must not be negative");
        }
    }

    public static EngineOptions defaults(String name) {
        return new EngineOptions(name, 256);
    }
}
