package dev.hearth.server.http.openai;

import dev.hearth.server.route.ModelInfo;
import java.util.List;

/** One entry of {@code GET /v1/models} and the answer of {@code GET /v1/models/{id}}. */
public record ModelObject(String id, String object, long created, String ownedBy) {
    public static ModelObject of(ModelInfo info) {
        return new ModelObject(info.name(), "model", info.createdEpochSeconds(), "hearth");
    }

    public record ModelList(String object, List<ModelObject> data) {}
}
