package dev.hearth.server.backend;

/**
 * What the model listings show about a loaded model.
 *
 * @param name the name clients use (the alias, or the file name without {@code .gguf})
 * @param architecture GGUF {@code general.architecture}, e.g. {@code llama}
 * @param quantization the file type, e.g. {@code Q4_0}
 * @param createdEpochSeconds when it was loaded
 * @param loadMillis how long loading took
 */
public record ModelInfo(String name, String path, long sizeBytes, String architecture, String quantization,
        long parameterCount, int contextLength, long createdEpochSeconds, long loadMillis) {}
