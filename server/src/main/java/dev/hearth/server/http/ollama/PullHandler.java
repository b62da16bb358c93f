package dev.hearth.server.http.ollama;

import dev.hearth.server.http.api.ApiException;
import dev.hearth.server.http.api.Json;
import dev.hearth.server.http.api.RequestContext;
import dev.hearth.server.http.api.StreamWriter;
import dev.hearth.server.hub.PullEvent;
import dev.hearth.server.hub.Puller;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST /api/pull} in Ollama's shape: {@code {"status": ...}} lines as the {@link Puller} goes (per file
 * {@code digest}, {@code total}, {@code completed}), ending with {@code {"status": "success"}}; or, with
 * {@code stream: false}, that last object only. A failure mid-stream is an {@code {"error": ...}} line.
 */
public final class PullHandler {
    private final RequestContext context;
    private final Puller puller;

    /** @param puller null: pulling is off (501) */
    public PullHandler(RequestContext context, Puller puller) {
        this.context = context;
        this.puller = puller;
    }

    /** {@code model}, or {@code name} from older clients. */
    public record Pull(String model, String name, Boolean stream, Boolean insecure) {}

    public void pull(ServerRequest req, ServerResponse res) throws Exception {
        Pull r = context.body(req, Pull.class);
        String ref = r.model() != null ? r.model() : r.name();
        if (ref == null || ref.isBlank()) {
            throw ApiException.missing("model");
        }
        if (puller == null) {
            throw new ApiException(501, "not_implemented", null, "not_implemented",
                    "pulling models is not enabled on this server", 0);
        }
        if (Boolean.FALSE.equals(r.stream())) {
            puller.pull(ref, event -> { });
            Json.send(res, 200, Map.of("status", "success"));
            return;
        }
        StreamWriter out = StreamWriter.ndjson(res);
        try {
            puller.pull(ref, event -> out.event(status(event)));
            out.event(Map.of("status", "success"));
        } catch (StreamWriter.ClientGoneException gone) {
            // the partial download stays and the next pull resumes it
        } catch (Exception e) {
            out.event(Map.of("error", "pulling " + ref + " failed: " + e.getMessage()));
        } finally {
            out.close();
        }
    }

    static Map<String, Object> status(PullEvent event) {
        Map<String, Object> m = new LinkedHashMap<>();
        switch (event) {
            case PullEvent.Resolving e -> m.put("status", "pulling manifest");
            case PullEvent.Resolved e -> {
                m.put("status", "pulling manifest");
                m.put("total", e.totalBytes());
            }
            case PullEvent.FileStarted e -> {
                m.put("status", "pulling " + e.file());
                m.put("digest", e.file());
                m.put("total", e.size());
                m.put("completed", e.resumedFrom());
            }
            case PullEvent.Progress e -> {
                m.put("status", "pulling " + e.file());
                m.put("digest", e.file());
                m.put("total", e.fileSize());
                m.put("completed", e.fileBytes());
            }
            case PullEvent.Retrying e -> m.put("status", "retrying " + e.file() + " (attempt " + e.attempt() + " of "
                    + e.maxAttempts() + "): " + e.reason());
            case PullEvent.FileDone e -> {
                m.put("status", "verifying sha256 digest");
                m.put("digest", "sha256:" + e.sha256());
            }
            case PullEvent.Done e -> m.put("status", "writing manifest");
        }
        return m;
    }
}
