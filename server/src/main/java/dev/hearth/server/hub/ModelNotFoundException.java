package dev.hearth.server.hub;

/** No model of that name is in the local store. */
public final class ModelNotFoundException extends HubException {
    private final String name;

    public ModelNotFoundException(String name) {
        super("model '" + name + "' not found; run 'hearth list' to see local models or 'hearth pull " + name
                + "' to download it");
        this.name = name;
    }

    /** With a message that says more (what was tried, what to do). */
    public ModelNotFoundException(String name, String message) {
        super(message);
        this.name = name;
    }

    public String name() {
        return name;
    }
}
