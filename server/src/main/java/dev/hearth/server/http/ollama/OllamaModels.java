package dev.hearth.server.http.ollama;

import dev.hearth.server.http.api.Json;
import dev.hearth.server.http.api.RequestContext;
import dev.hearth.server.backend.ModelInfo;
import dev.hearth.server.route.Router;
import dev.hearth.server.backend.UnknownModelException;
import io.helidon.webserver.http.ServerResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Ollama's model listing ({@code /api/tags}) and description ({@code /api/show}): the local models, and the
 * router's routes (public names served by the targets of the configuration, family {@code route}).
 */
final class OllamaModels {
    static final String ROUTE = "route";
    private final RequestContext context;

    OllamaModels(RequestContext context) {
        this.context = context;
    }

    void tags(ServerResponse res) {
        List<OllamaResponses.Tag> tags = new ArrayList<>();
        for (ModelInfo m : context.backend().models()) {
            tags.add(new OllamaResponses.Tag(m.name(), m.name(), Instant.ofEpochSecond(m.createdEpochSeconds())
                    .toString(), m.sizeBytes(), "", OllamaResponses.Details.of(m)));
        }
        Router router = context.router();
        String created = Instant.ofEpochSecond(router.createdEpochSeconds()).toString();
        for (String name : router.routeNames()) {
            if (tags.stream().noneMatch(t -> t.name().equals(name))) {
                tags.add(new OllamaResponses.Tag(name, name, created, 0, "", routeDetails()));
            }
        }
        Json.send(res, 200, new OllamaResponses.Tags(tags));
    }

    void show(ServerResponse res, String name) {
        List<String> targets = context.router().routeTargets(name);
        if (targets != null) {
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("general.architecture", ROUTE);
            info.put("hearth.route.targets", targets);
            Json.send(res, 200, new OllamaResponses.Show("", "", "", routeDetails(), info,
                    List.of("completion")));
            return;
        }
        ModelInfo m = context.backend().model(name).orElseThrow(() -> new UnknownModelException(name));
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("general.architecture", m.architecture());
        info.put("general.parameter_count", m.parameterCount());
        info.put(m.architecture() + ".context_length", m.contextLength());
        Json.send(res, 200, new OllamaResponses.Show("", "", "", OllamaResponses.Details.of(m), info,
                List.of("completion")));
    }

    private static OllamaResponses.Details routeDetails() {
        return new OllamaResponses.Details("", ROUTE, ROUTE, List.of(ROUTE), "", "");
    }
}
