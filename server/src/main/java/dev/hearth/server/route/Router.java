package dev.hearth.server.route;

import dev.hearth.engine.ContextLengthExceededException;
import dev.hearth.engine.EngineOverloadedException;
import dev.hearth.server.backend.Backend;
import dev.hearth.server.backend.Generation;
import dev.hearth.server.backend.GenerationSpec;
import dev.hearth.server.backend.InsufficientMemoryException;
import dev.hearth.server.backend.ModelState;
import dev.hearth.server.backend.ModelUnavailableException;
import dev.hearth.server.backend.UnknownModelException;
import dev.hearth.server.local.LocalModelCheck;
import dev.hearth.server.metrics.RouteMetrics;
import dev.hearth.server.config.BackendConfig;
import dev.hearth.server.config.RoutingConfig;
import dev.hearth.server.config.RoutingConfig.Condition;
import dev.hearth.server.config.RoutingConfig.Route;
import dev.hearth.server.config.RoutingConfig.Target;
import dev.hearth.server.hub.HubException;
import dev.hearth.server.upstream.RemoteBackend;
import dev.hearth.server.upstream.UpstreamException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Picks who serves a request. A public model name maps to a route; its first rule whose condition holds (prompt
 * size, tools, reasoning, a header, the agent class) gives the ordered targets, else the route's own. Each target is
 * tried in order: a local one is passed over before running when its model is not stored, does not fit, or its
 * predicted queue wait is over the limit, and when the engine refuses it (prompt longer than the context, queue
 * full); a remote one when it fails before its first chunk (after its own retries). Nothing is sent to the client
 * before a target succeeds, so an answer is never switched midway. A name that is no route but a local model (or
 * {@code backend/model}) is served by that target alone.
 */
public final class Router implements AutoCloseable {
    public static final String LOCAL = "local";

    private final Backend local;
    private final String localName;
    private final Map<String, Route> routes = new LinkedHashMap<>();
    private final Map<String, RemoteBackend> remotes = new LinkedHashMap<>();
    private final Map<String, LocalModelCheck.Refusal> unavailableLocal;
    /** Remote backends that are configured but not running (no API key): name to why. */
    private final Map<String, LocalModelCheck.Refusal> disabled;
    private final Map<String, BackendConfig.Remote> disabledConfigs = new LinkedHashMap<>();
    /** A local target's model (the configuration's name) to the name the local engine knows it by. */
    private final Map<String, String> localNames;
    private final long maxQueueWaitMillis;
    private final RouteMetrics metrics;
    private final QueueWaitEstimator queueWait;
    private final AtomicLong ids = new AtomicLong();
    private final long createdEpochSeconds = System.currentTimeMillis() / 1000;

    /**
     * @param unavailableLocal local model name to why it cannot serve (not stored, does not fit)
     * @param apiKeys backend name to its API key (read from the environment by the caller)
     */
    public Router(RoutingConfig config, Backend local, Map<String, String> unavailableLocal,
            Map<String, String> apiKeys, RouteMetrics metrics, QueueWaitEstimator queueWait) {
        this(config, local, new StartupChecks(refusals(unavailableLocal), Map.of(), Map.of()), apiKeys, metrics,
                queueWait);
    }

    /**
     * @param checks what the start-up checks found: local models that cannot serve, remote backends disabled, the
     *     local engine's name of each configured local model
     * @param apiKeys backend name to its API key (read from the environment by the caller)
     */
    public Router(RoutingConfig config, Backend local, StartupChecks checks, Map<String, String> apiKeys,
            RouteMetrics metrics, QueueWaitEstimator queueWait) {
        this.local = local;
        this.metrics = metrics;
        this.queueWait = queueWait;
        this.unavailableLocal = checks.unavailableLocal();
        this.disabled = checks.disabledBackends();
        this.localNames = checks.localNames();
        this.maxQueueWaitMillis = config.maxQueueWait().toMillis();
        config.routes().forEach(r -> routes.put(r.model(), r));
        String localBackend = LOCAL;
        for (BackendConfig b : config.backends().values()) {
            switch (b) {
                case BackendConfig.Local l -> localBackend = l.name();
                case BackendConfig.Remote r when disabled.containsKey(r.name()) -> disabledConfigs.put(r.name(), r);
                case BackendConfig.Remote r -> remotes.put(r.name(), new RemoteBackend(r, apiKeys.get(r.name()),
                        metrics));
            }
        }
        this.localName = localBackend;
    }

    private static Map<String, LocalModelCheck.Refusal> refusals(Map<String, String> reasons) {
        Map<String, LocalModelCheck.Refusal> out = new LinkedHashMap<>();
        reasons.forEach((model, reason) -> out.put(model, new LocalModelCheck.Refusal(reason,
                reason.replace('_', ' '))));
        return out;
    }

    /** No configuration: every model name goes to the local backend. */
    public static Router direct(Backend local) {
        return new Router(new RoutingConfig(Map.of(), List.of(), java.time.Duration.ofDays(1)), local, Map.of(),
                Map.of(), new RouteMetrics(), new QueueWaitEstimator(System::nanoTime));
    }

    public RouteMetrics metrics() {
        return metrics;
    }

    public QueueWaitEstimator queueWait() {
        return queueWait;
    }

    public Backend local() {
        return local;
    }

    public List<String> routeNames() {
        return List.copyOf(routes.keySet());
    }

    /** When this router was made: the {@code created} time of its routes in model lists. */
    public long createdEpochSeconds() {
        return createdEpochSeconds;
    }

    /** A route's default targets ({@code backend/model}), or null when {@code name} is no route. */
    public List<String> routeTargets(String name) {
        Route route = routes.get(name);
        return route == null ? null : route.targets().stream().map(Target::toString).toList();
    }

    /** Whether {@code model} names a route or a remote model ({@code backend/model}), not a local model. */
    public boolean isRouted(String model) {
        return model != null && (routes.containsKey(model) || !targets(model).getFirst().backend().equals(localName));
    }

    private List<Target> targets(String model) {
        return targets(new RouteRequest(null, model, null, false, 0, false, false, h -> null, null, false, 0, false,
                null));
    }

    /** The remote backends, in configuration order. */
    public List<RemoteBackend> remotes() {
        return List.copyOf(remotes.values());
    }

    public RemoteBackend remote(String name) {
        return remotes.get(name);
    }

    /** The ordered targets for a request (no availability checks yet). */
    public List<Target> targets(RouteRequest req) {
        String model = req.model();
        Route route = model == null ? null : routes.get(model);
        if (route != null) {
            for (RoutingConfig.Rule rule : route.rules()) {
                if (holds(rule.when(), req)) {
                    return rule.targets();
                }
            }
            return route.targets();
        }
        int slash = model == null ? -1 : model.indexOf('/');
        BackendConfig.Remote remote = slash <= 0 ? null : remotes.containsKey(model.substring(0, slash))
                ? remotes.get(model.substring(0, slash)).config() : disabledConfigs.get(model.substring(0, slash));
        if (remote != null && remote.models().contains(model.substring(slash + 1))) {
            return List.of(new Target(model.substring(0, slash), model.substring(slash + 1)));
        }
        return List.of(new Target(localName, model)); // the local backend knows it, or answers 404
    }

    static boolean holds(Condition c, RouteRequest req) {
        return (c.promptTokensOver() == null || req.promptTokens() > c.promptTokensOver())
                && (c.promptTokensAtMost() == null || req.promptTokens() <= c.promptTokensAtMost())
                && (c.tools() == null || c.tools() == req.tools())
                && (c.reasoning() == null || c.reasoning() == req.reasoning())
                && (c.agentClass() == null || c.agentClass().equals(req.agentClass()))
                && c.headers().entrySet().stream().allMatch(h -> h.getValue().equals(req.header().apply(
                        h.getKey().toLowerCase(java.util.Locale.ROOT))));
    }

    /**
     * Serves {@code req}: {@code spec} is the same request parsed for the local engine (its model is replaced by
     * the target's). Throws the last target's failure when none could serve.
     */
    public RoutedCall route(RouteRequest req, GenerationSpec spec) throws InterruptedException {
        return route(req, () -> spec);
    }

    /**
     * As {@link #route(RouteRequest, GenerationSpec)}, the local engine's request made only when a local target is
     * tried (a request relayed to a remote backend is not parsed for the engine at all).
     */
    public RoutedCall route(RouteRequest req, Supplier<GenerationSpec> spec) throws InterruptedException {
        long id = ids.incrementAndGet();
        if (req.caller() != null) {
            req.caller().reserve(req.promptTokens(), maxTokens(req), req.body() == null ? 1
                    : req.body().path("n").asInt(1));
        }
        List<Target> targets = targets(req);
        RuntimeException last = null;
        List<String> skipped = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            Target t = targets.get(i);
            boolean lastOne = i == targets.size() - 1;
            LocalModelCheck.Refusal refusal;
            RemoteBackend remote = remotes.get(t.backend());
            if (disabled.containsKey(t.backend())) {
                refusal = disabled.get(t.backend());
            } else if (remote == null) {
                refusal = localRefusal(t, lastOne);
                if (refusal == null) {
                    try {
                        Generation g = local.generate(withModel(spec.get(), localNames.getOrDefault(t.model(),
                                t.model())), req.scheduling(), req.pull());
                        metrics.request(t.toString());
                        metrics.event(id, t.toString(), "serving locally");
                        return new RoutedCall.Local(t.toString(), g);
                    } catch (UnknownModelException e) {
                        refusal = failed("not_loaded", e);
                        last = e;
                    } catch (ModelUnavailableException e) {
                        refusal = failed(e.state() == ModelState.State.LOADING ? "loading" : "model_failed", e);
                        last = e;
                    } catch (dev.hearth.engine.EngineFailedException e) {
                        refusal = failed("model_failed", e);
                        last = e;
                    } catch (ContextLengthExceededException e) {
                        refusal = failed("context_exceeded", e);
                        last = e;
                    } catch (EngineOverloadedException e) {
                        refusal = failed("queue_full", e);
                        last = e;
                    } catch (InsufficientMemoryException e) {
                        refusal = failed("does_not_fit", e);
                        last = e;
                    } catch (HubException e) {  // not stored, and pulling it on first use failed
                        refusal = failed("not_stored", e);
                        last = e;
                    }
                }
            } else if (req.localOnly()) {
                refusal = new LocalModelCheck.Refusal("agent_local_only", "the caller's key has --class local, which"
                        + " keeps its requests on this machine's models");
            } else {
                try {
                    return new RoutedCall.Relayed(remote.open(id, req.path(), t.model(), req.body(), req.raw(), req.stream(),
                            req.affinityKey(), req.hasAffinityKey()));
                } catch (UpstreamException e) {
                    if (e.kind() == UpstreamException.Kind.CLIENT_ERROR) {
                        throw e;
                    }
                    refusal = failed(e.kind().name().toLowerCase(), e);
                    last = e;
                }
            }
            String reason = refusal.reason();
            skipped.add(t + " (" + refusal.detail() + ")");
            metrics.fallback(t.toString(), reason);
            metrics.event(id, t.toString(), lastOne ? "cannot serve (" + reason + "); no target left"
                    : "passed over (" + reason + "), next: " + targets.get(i + 1));
        }
        throw noTargetLeft(req.model(), targets, skipped, last);
    }

    private static LocalModelCheck.Refusal failed(String reason, RuntimeException e) {
        return new LocalModelCheck.Refusal(reason, e.getMessage());
    }

    /**
     * The error when every target was passed over or failed: a single target that was tried answers with its own
     * failure (404, 400, 429, 507, the upstream's); otherwise a 502 naming each target and why it could not serve.
     * A full queue or a prompt too long for the context stays what it is (429, 400).
     */
    private static RuntimeException noTargetLeft(String model, List<Target> targets, List<String> skipped,
            RuntimeException last) {
        if (last != null && (targets.size() == 1 || last instanceof ContextLengthExceededException
                || last instanceof EngineOverloadedException)) {
            return last;
        }
        String message = (targets.size() == 1 ? "'" + model + "' cannot be served: "
                : "no target could serve '" + model + "': ") + String.join("; ", skipped);
        if (last instanceof UpstreamException u) {
            return new UpstreamException(u.kind(), u.status(), u.retryAfterMillis(), null, message);
        }
        return UpstreamException.of(UpstreamException.Kind.UNAVAILABLE, message);
    }

    /** Why a local target is passed over before trying it, or null. */
    private LocalModelCheck.Refusal localRefusal(Target t, boolean lastOne) {
        LocalModelCheck.Refusal why = unavailableLocal.get(t.model());
        if (why != null) {
            return why;
        }
        String model = localNames.getOrDefault(t.model(), t.model());
        long wait;
        if (!lastOne && local.model(model).isPresent()
                && (wait = queueWait.waitMillis(model, local.load(model))) > maxQueueWaitMillis) {
            return new LocalModelCheck.Refusal("queue_wait", "predicted queue wait " + wait + " ms is over"
                    + " max_queue_wait " + maxQueueWaitMillis + " ms");
        }
        return null;
    }

    /** The request's {@code max_completion_tokens} or {@code max_tokens}, or null when it sets neither. */
    static Integer maxTokens(RouteRequest req) {
        var body = req.body();
        if (body == null) {
            return null;
        }
        var max = body.hasNonNull("max_completion_tokens") ? body.get("max_completion_tokens") : body.get("max_tokens");
        return max != null && max.canConvertToInt() ? max.intValue() : null;
    }

    static GenerationSpec withModel(GenerationSpec s, String model) {
        return new GenerationSpec(model, s.messages(), s.prompt(), s.tools(), s.maxTokens(), s.stop(), s.sampling(),
                s.choices(), s.toolChoice(), s.keepAlive(), s.grammar());
    }

    /** Ends every remote stream being relayed, and any that starts later, with {@code reason} as its error. */
    public void stopRelays(String reason) {
        remotes.values().forEach(r -> r.stopRelays(reason));
    }

    @Override
    public void close() {
        remotes.values().forEach(RemoteBackend::close);
    }
}
