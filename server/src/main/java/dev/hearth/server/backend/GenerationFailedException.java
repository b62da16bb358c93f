package dev.hearth.server.backend;

import dev.hearth.engine.EngineFailedException;

/**
 * A generation ended with an engine error (its {@code Done} event's text): its model failed, the server's shutdown
 * grace ran out, or something else went wrong (whose detail is for the log only).
 */
public final class GenerationFailedException extends RuntimeException {
    /** The error generations get when shutdown's grace is over (see {@code local.LocalBackend.abortAll}). */
    public static final String SHUTTING_DOWN = "the server is shutting down; retry the request elsewhere or later";

    public enum Kind { MODEL_FAILED, SHUTTING_DOWN, OTHER }

    private final Kind kind;

    public GenerationFailedException(String error) {
        super(EngineFailedException.describesModelFailure(error) || SHUTTING_DOWN.equals(error) ? error
                : "generation failed: " + error);
        this.kind = EngineFailedException.describesModelFailure(error) ? Kind.MODEL_FAILED
                : SHUTTING_DOWN.equals(error) ? Kind.SHUTTING_DOWN : Kind.OTHER;
    }

    public Kind kind() {
        return kind;
    }
}
