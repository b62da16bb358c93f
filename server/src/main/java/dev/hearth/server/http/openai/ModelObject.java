package dev.hearth.server.http.openai;

import dev.hearth.server.backend.ModelInfo;
import java.util.List;

/** One entry of {@code GET /v1/models} and the answer of {@code GET /v1/models/{id}}. */
public record ModelObject(String id, String object, long created, String ownedBy) {
    /** The {@code owned_by} of a route: a public name the router serves from its configured targets. */
    public static final String ROUTE = "hearth-route";

    public static ModelObject of(ModelInfo info) {
        return new ModelObject(info.name(), "model", info.createdEpochSeconds(), "hearth");
    }

    public static ModelObject route(String name, long createdEpochSeconds) {
        return new ModelObject(name, "model", createdEpochSeconds, ROUTE);
    }

    public record ModelList(String object, List<ModelObject> data) {}
}
