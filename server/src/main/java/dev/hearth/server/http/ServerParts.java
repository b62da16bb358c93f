package dev.hearth.server.http;

import dev.hearth.server.agents.AgentGate;
import dev.hearth.server.hub.Puller;
import dev.hearth.server.metrics.ServerMetrics;
import dev.hearth.server.backend.Backend;
import dev.hearth.server.route.Router;
import java.util.Objects;

/**
 * What a server is made of, for {@link HearthServer#start}: the router (its local backend lists the models), the
 * settings, the metrics, and two optional parts.
 *
 * @param agents agent keys, quotas, the usage ledger and {@code GET /v1/usage}; null: no agents
 * @param puller what {@code POST /api/pull} downloads with; null: pulling is off
 */
public record ServerParts(Router router, ServerSettings settings, ServerMetrics metrics, AgentGate agents,
        Puller puller) {

    public ServerParts {
        Objects.requireNonNull(router, "router");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(metrics, "metrics");
    }

    /** Serving through {@code router}: local models and remote backends. */
    public static ServerParts of(Router router, ServerSettings settings, ServerMetrics metrics) {
        return new ServerParts(router, settings, metrics, null, null);
    }

    /** Serving one local backend's models directly. */
    public static ServerParts of(Backend backend, ServerSettings settings, ServerMetrics metrics) {
        return of(Router.direct(backend), settings, metrics);
    }

    public ServerParts withAgents(AgentGate agents) {
        return new ServerParts(router, settings, metrics, agents, puller);
    }

    public ServerParts withPuller(Puller puller) {
        return new ServerParts(router, settings, metrics, agents, puller);
    }
}
