package dev.hearth.server.backend;

/**
 * Whether a request may make the server download a model it names (pull on first use). Passed explicitly, as the
 * caller is: the access filter decides it per request when agents are on (the admin, or anyone when the server runs
 * with {@code --open-pull}) and puts it on the request's {@code AgentCall}; handlers and the router hand it to the
 * backend with the request. Without agents, and on the command line, pulling is allowed.
 */
public enum PullPermission {
    ALLOWED,
    /** Only the admin may make the server download a model. */
    REFUSED
}
