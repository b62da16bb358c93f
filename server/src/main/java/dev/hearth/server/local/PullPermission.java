package dev.hearth.server.local;

/**
 * Whether the request being served may make the server download a model it names (pull on first use). The HTTP
 * layer binds it per request (the admin, or anyone when the server allows it); unbound, as on the command line, it
 * may.
 */
public final class PullPermission {
    public static final ScopedValue<Boolean> ALLOWED = ScopedValue.newInstance();

    private PullPermission() {}

    public static boolean allowed() {
        return ALLOWED.orElse(true);
    }
}
