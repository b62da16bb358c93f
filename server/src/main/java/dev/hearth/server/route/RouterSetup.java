package dev.hearth.server.route;

import dev.hearth.server.hub.MachineProfile;
import dev.hearth.server.metrics.ServerMetrics;
import dev.hearth.server.route.config.BackendConfig;
import dev.hearth.server.route.config.ConfigException;
import dev.hearth.server.route.config.RoutingConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Turns a {@link RoutingConfig} into a running {@link Router} for {@code hearth serve --config}: API keys from the
 * environment (a missing variable fails at start), local models checked (stored, fitting) before loading.
 */
public final class RouterSetup {
    private RouterSetup() {}

    public static Router create(RoutingConfig config, LocalBackend local, List<Map.Entry<Path, String>> cliModels,
            LoadOptions options, Function<String, String> env, Consumer<String> log) {
        Map<String, String> keys = new HashMap<>();
        Map<String, String> unavailable = new HashMap<>();
        MachineProfile machine = null;
        for (BackendConfig b : config.backends().values()) {
            switch (b) {
                case BackendConfig.Remote r -> {
                    if (r.apiKeyEnv() != null) {
                        String key = env.apply(r.apiKeyEnv());
                        if (key == null || key.isBlank()) {
                            throw new ConfigException("backends." + r.name() + ".api_key_env: the environment"
                                    + " variable " + r.apiKeyEnv() + " is not set");
                        }
                        keys.put(r.name(), key);
                    }
                }
                case BackendConfig.Local l -> {
                    machine = machine == null ? MachineProfile.unmeasured() : machine;
                    for (Map.Entry<String, Path> m : l.models().entrySet()) {
                        if (cliModels.stream().anyMatch(e -> e.getValue().equals(m.getKey()))) {
                            throw new ConfigException("backends." + l.name() + ".models." + m.getKey()
                                    + ": a --model option has the same name");
                        }
                        LocalModelCheck.Refusal refusal = LocalModelCheck.check(m.getValue(), options, machine);
                        if (refusal != null) {
                            unavailable.put(m.getKey(), refusal.reason());
                            log.accept("local model " + m.getKey() + " cannot serve (" + refusal.reason() + "): "
                                    + refusal.detail() + "; its routes fall back to their next target");
                        }
                    }
                }
            }
        }
        return new Router(config, local, unavailable, keys, new RouteMetrics(),
                new QueueWaitEstimator(System::nanoTime));
    }

    /** Loads the configured local models that passed the checks; one that fails to load is logged and skipped. */
    public static void loadLocal(RoutingConfig config, LocalBackend local, LoadOptions options, ServerMetrics metrics,
            Consumer<String> log) {
        MachineProfile machine = MachineProfile.unmeasured();
        for (BackendConfig b : config.backends().values()) {
            if (b instanceof BackendConfig.Local l) {
                for (Map.Entry<String, Path> m : l.models().entrySet()) {
                    LocalModelCheck.Refusal refused = LocalModelCheck.check(m.getValue(), options, machine);
                    if (refused != null) {
                        local.failed(m.getKey(), refused.detail());  // listed by /health; its routes fall back
                        continue;
                    }
                    try {
                        LoadedModel model = ModelLoader.load(m.getValue(), m.getKey(), options);
                        local.add(model);
                        metrics.modelLoaded(m.getKey(), model.info().loadMillis() / 1000.0);
                        log.accept("loaded " + m.getKey() + " from " + m.getValue() + " in "
                                + model.info().loadMillis() + " ms (context " + model.info().contextLength() + ")");
                    } catch (java.io.IOException | RuntimeException | Error e) {
                        local.failed(m.getKey(), String.valueOf(e.getMessage()));
                        log.accept("local model " + m.getKey() + " failed to load (" + e.getMessage()
                                + "); its routes fall back to their next target");
                    }
                }
            }
        }
    }
}
