package dev.hearth.server.upstream;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The remote streams a backend is relaying now, so that a shutdown whose grace has run out can end them as it ends
 * local generations: with an error event (and {@code [DONE]} for SSE) rather than a cut connection. Once stopped, a
 * stream that starts relaying afterwards is ended at once.
 */
final class LiveRelays {
    /**
     * How a relaying stream is ended from another thread (RelayedResponse's stop). Owned here, so that this registry
     * does not depend back on the response it holds.
     */
    @FunctionalInterface
    interface Relay {
        void stop(String reason);
    }

    private final Set<Relay> relaying = ConcurrentHashMap.newKeySet();
    private volatile String stopReason;

    /** A stream starts relaying; ended at once when the relays were already stopped. */
    void add(Relay relay) {
        relaying.add(relay);
        String reason = stopReason;
        if (reason != null) {
            relay.stop(reason);
        }
    }

    void remove(Relay relay) {
        relaying.remove(relay);
    }

    /** Ends every stream relaying now and any that starts later, each with {@code reason} as its error. */
    void stopAll(String reason) {
        stopReason = reason;
        relaying.forEach(r -> r.stop(reason));
    }

    int size() {
        return relaying.size();
    }
}
