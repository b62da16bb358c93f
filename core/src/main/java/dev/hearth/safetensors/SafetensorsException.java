package dev.hearth.safetensors;

/** A Hugging Face checkpoint that is damaged or unsupported. The message names the file and the tensor or field. */
public final class SafetensorsException extends RuntimeException {
    public SafetensorsException(String message) {
        super(message);
    }

    public SafetensorsException(String message, Throwable cause) {
        super(message, cause);
    }
}
