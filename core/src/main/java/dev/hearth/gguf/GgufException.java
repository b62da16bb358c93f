package dev.hearth.gguf;

/** A GGUF file that is damaged, hostile or lacks what a caller needs. The message names the key, tensor or offset. */
public final class GgufException extends RuntimeException {
    public GgufException(String message) {
        super(message);
    }

    public GgufException(String message, Throwable cause) {
        super(message, cause);
    }
}
