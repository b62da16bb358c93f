package dev.hearth.engine;

/** A prompt that does not fit the context; never truncated silently (HTTP 400 with both numbers). */
public final class ContextLengthExceededException extends RuntimeException {
    private final int promptTokens;
    private final int contextLength;

    public ContextLengthExceededException(int promptTokens, int contextLength) {
        super("the prompt has " + promptTokens + " tokens but the context length is " + contextLength
                + " (at least one token must remain for the answer)");
        this.promptTokens = promptTokens;
        this.contextLength = contextLength;
    }

    public int promptTokens() {
        return promptTokens;
    }

    public int contextLength() {
        return contextLength;
    }
}
