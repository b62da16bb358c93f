package dev.hearth.server.backend;

/** A request named a model that is known but cannot serve now: still loading, or failed (HTTP 503). */
public final class ModelUnavailableException extends RuntimeException {
    private final String model;
    private final ModelState.State state;

    public ModelUnavailableException(ModelState model) {
        super(switch (model.state()) {
            case LOADING -> "the model '" + model.name() + "' is still loading; retry shortly";
            case FAILED -> "the model '" + model.name() + "' failed and cannot serve: " + model.reason();
            case READY -> "the model '" + model.name() + "' is ready";
        });
        this.model = model.name();
        this.state = model.state();
    }

    public String model() {
        return model;
    }

    public ModelState.State state() {
        return state;
    }
}
