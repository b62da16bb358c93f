package dev.hearth.server.chat;

/** A chat template could not be compiled or rendered (or refused the conversation); the message names the model. */
public final class ChatTemplateException extends RuntimeException {
    public ChatTemplateException(String message) {
        super(message);
    }

    public ChatTemplateException(String message, Throwable cause) {
        super(message, cause);
    }
}
