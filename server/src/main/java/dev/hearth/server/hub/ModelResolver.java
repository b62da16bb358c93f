package dev.hearth.server.hub;

/** Model name to files on disk; what the server asks before loading a model. */
public interface ModelResolver {
    /**
     * @throws ModelNotFoundException when no local model has that name
     * @throws HubException when the name is invalid or the model's files are damaged
     */
    ResolvedModel resolve(String name);
}
