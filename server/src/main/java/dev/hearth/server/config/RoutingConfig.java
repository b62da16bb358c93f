package dev.hearth.server.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What {@code hearth serve --config FILE} declares: backends by name, and routes from a public model name to an
 * ordered list of targets, with rules that choose other targets by the request's traits.
 *
 * @param maxQueueWait a local target whose predicted queue wait is longer is passed over for the next one
 * @param server the {@code server:} section (connections, shutdown, access)
 */
public record RoutingConfig(Map<String, BackendConfig> backends, List<Route> routes, Duration maxQueueWait,
        ServerSection server) {

    public RoutingConfig {
        backends = Map.copyOf(backends);
        routes = List.copyOf(routes);
        server = server == null ? ServerSection.EMPTY : server;
    }

    public RoutingConfig(Map<String, BackendConfig> backends, List<Route> routes, Duration maxQueueWait) {
        this(backends, routes, maxQueueWait, ServerSection.EMPTY);
    }

    /** {@code backend/model}: one model of one backend. */
    public record Target(String backend, String model) {
        @Override
        public String toString() {
            return backend + "/" + model;
        }
    }

    /** A public model name; the first rule whose condition holds picks the targets, else {@code targets}. */
    public record Route(String model, List<Target> targets, List<Rule> rules) {
        public Route {
            targets = List.copyOf(targets);
            rules = List.copyOf(rules);
        }
    }

    public record Rule(Condition when, List<Target> targets) {
        public Rule {
            targets = List.copyOf(targets);
        }
    }

    /**
     * Every field that is set must hold (null: any).
     *
     * @param promptTokensOver the estimated prompt tokens exceed this
     * @param promptTokensAtMost the estimated prompt tokens are at most this
     * @param tools whether the request offers tools
     * @param reasoning whether the request asks for reasoning ({@code reasoning_effort}, {@code reasoning}, {@code think})
     * @param headers request headers that must have these values (names case-insensitive)
     * @param agentClass the caller's agent class ({@code x-hearth-agent-class})
     */
    public record Condition(Integer promptTokensOver, Integer promptTokensAtMost, Boolean tools, Boolean reasoning,
            Map<String, String> headers, String agentClass) {
        public Condition {
            headers = headers == null ? Map.of() : Map.copyOf(headers);
        }
    }
}
