package dev.hearth.server.hub;

/**
 * Receives {@link PullEvent}s on the pulling thread. Throwing from {@link #onEvent} aborts the pull; what was
 * downloaded so far stays in the partial area and the next pull resumes from it.
 */
@FunctionalInterface
public interface PullListener {
    PullListener NONE = event -> {};

    void onEvent(PullEvent event);
}
