package dev.hearth.server.backend;

/**
 * One model's readiness, as {@code /health} lists it.
 *
 * @param reason why it failed; null unless {@link State#FAILED}
 */
public record ModelState(String name, State state, String reason) {
    public enum State {
        LOADING, READY, FAILED;

        /** The lower-case name {@code /health} shows. */
        public String label() {
            return name().toLowerCase();
        }
    }

    public static ModelState ready(String name) {
        return new ModelState(name, State.READY, null);
    }
}
