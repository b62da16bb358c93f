package dev.hearth.server.http;

import dev.hearth.server.http.api.ApiException;
import dev.hearth.server.agents.Caller;

/**
 * Which endpoints only the admin may use, and who counts as the admin: the admin key, or any caller on a server with
 * no keys at all (the machine's own user). Agent keys never do. One place, so that every admin-only page (usage,
 * metrics, pulls, a dashboard) is guarded alike.
 */
public final class AdminAccess {
    private AdminAccess() {}

    /** Whether {@code path} needs the admin under {@code settings}. */
    public static boolean adminOnly(String path, ServerSettings settings) {
        return switch (path) {
            case "/v1/usage", "/v1/stats" -> true;
            case "/metrics" -> !settings.metricsPublic();
            case "/api/pull" -> !settings.openPull();
            default -> false;
        };
    }

    /** Whether the caller is the admin (or any caller of a server without keys). */
    public static boolean isAdmin(Caller caller) {
        return caller.policy() == null;
    }

    /** Whether the caller may make the server download a model it names (pull on first use). */
    public static boolean mayPull(Caller caller, ServerSettings settings) {
        return settings.openPull() || isAdmin(caller);
    }

    /** The 403 for an agent asking for an admin-only endpoint. */
    public static ApiException forbidden(String path) {
        return new ApiException(403, "invalid_request_error", null, "forbidden", path + " needs the admin key", 0);
    }
}
