package dev.hearth.server.http;

import dev.hearth.server.backend.Backend;
import dev.hearth.server.backend.ModelState;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /health}, the readiness a load balancer reads: 200 {@code ok} when every model is ready, 200
 * {@code degraded} when some failed but one serves, 503 {@code loading} while none is ready yet, 503
 * {@code unavailable} when none can serve, 503 {@code draining} once shutdown has begun. Each model is listed with
 * its state (loading, ready, failed) and, when failed, the reason.
 */
final class Health {
    private Health() {}

    record Report(int status, Map<String, Object> body) {}

    static Report of(Backend backend, boolean draining) {
        List<ModelState> states = backend.modelStates();
        boolean anyReady = states.stream().anyMatch(s -> s.state() == ModelState.State.READY);
        boolean anyLoading = states.stream().anyMatch(s -> s.state() == ModelState.State.LOADING);
        boolean anyFailed = states.stream().anyMatch(s -> s.state() == ModelState.State.FAILED);
        String status = draining ? "draining"
                : anyReady ? (anyFailed ? "degraded" : "ok")
                : anyLoading || states.isEmpty() ? "loading" : "unavailable";
        int code = draining || !anyReady ? 503 : 200;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("models", states.stream().map(Health::model).toList());
        return new Report(code, body);
    }

    private static Map<String, Object> model(ModelState s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", s.name());
        m.put("state", s.state().label());
        if (s.reason() != null) {
            m.put("reason", s.reason());
        }
        return m;
    }
}
