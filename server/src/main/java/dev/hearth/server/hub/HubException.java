package dev.hearth.server.hub;

/** A model-hub failure whose message is meant for the user: it names the model, repository, file or setting. */
public class HubException extends RuntimeException {
    public HubException(String message) {
        super(message);
    }

    public HubException(String message, Throwable cause) {
        super(message, cause);
    }
}
