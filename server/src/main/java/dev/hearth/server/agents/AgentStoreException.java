package dev.hearth.server.agents;

/** The agents database could not be opened, read or written; the message names the file or the agent. */
public final class AgentStoreException extends RuntimeException {
    public AgentStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
