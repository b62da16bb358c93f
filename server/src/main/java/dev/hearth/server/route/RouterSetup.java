package dev.hearth.server.route;

import dev.hearth.server.hub.HubException;
import dev.hearth.server.hub.MachineProfile;
import dev.hearth.server.hub.ModelLocator;
import dev.hearth.server.hub.PullRef;
import dev.hearth.server.local.LoadOptions;
import dev.hearth.server.local.LoadedModel;
import dev.hearth.server.local.LocalBackend;
import dev.hearth.server.local.LocalModelCheck;
import dev.hearth.server.local.ModelLoader;
import dev.hearth.server.metrics.RouteMetrics;
import dev.hearth.server.metrics.ServerMetrics;
import dev.hearth.server.config.BackendConfig;
import dev.hearth.server.config.ConfigException;
import dev.hearth.server.config.RoutingConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Turns a {@link RoutingConfig} into a running {@link Router} for {@code hearth serve --config}, so that a
 * configuration starts on a fresh machine as it is: a remote backend whose API key variable is unset is disabled
 * with a one-line warning (its targets are skipped, naming the variable); each local model is checked before
 * loading: a file must exist and fit, a model name must be stored (then loaded at start) or be a catalogue name /
 * {@code hf://} reference (then pulled on first use); one that cannot serve is named with the reason and what to
 * do, and its routes fall back to their next target.
 */
public final class RouterSetup {
    private RouterSetup() {}

    /** One configured local model: what the engine calls it, the file to load at start (if any), or the refusal. */
    record LocalModel(String backend, String configName, String engineName, Path loadAtStart, LocalModelCheck.Refusal refusal) {}

    /** As {@link #create(RoutingConfig, LocalBackend, List, LoadOptions, Function, Consumer, ModelLocator)}, with
     * local models given as file paths only. */
    public static Router create(RoutingConfig config, LocalBackend local, List<Map.Entry<Path, String>> cliModels,
            LoadOptions options, Function<String, String> env, Consumer<String> log) {
        return create(config, local, cliModels, options, env, log, null);
    }

    /**
     * @param locator resolves local models given by name (null: only file paths can be loaded)
     * @param log one line per disabled backend and per local model that is not ready at start
     */
    public static Router create(RoutingConfig config, LocalBackend local, List<Map.Entry<Path, String>> cliModels,
            LoadOptions options, Function<String, String> env, Consumer<String> log, ModelLocator locator) {
        Map<String, String> keys = new HashMap<>();
        Map<String, LocalModelCheck.Refusal> disabled = new HashMap<>();
        for (BackendConfig b : config.backends().values()) {
            if (b instanceof BackendConfig.Remote r && r.apiKeyEnv() != null) {
                String key = env.apply(r.apiKeyEnv());
                if (key == null || key.isBlank()) {
                    disabled.put(r.name(), new LocalModelCheck.Refusal("disabled", "backend " + r.name()
                            + " is disabled: the environment variable " + r.apiKeyEnv() + " is not set"));
                    log.accept("warning: backend " + r.name() + " is disabled: the environment variable "
                            + r.apiKeyEnv() + " (backends." + r.name() + ".api_key_env) is not set; routes skip its"
                            + " targets");
                } else {
                    keys.put(r.name(), key);
                }
            }
        }
        Map<String, LocalModelCheck.Refusal> unavailable = new HashMap<>();
        Map<String, String> localNames = new HashMap<>();
        for (LocalModel m : localModels(config, options, locator)) {
            if (cliModels.stream().anyMatch(e -> e.getValue().equals(m.configName()))) {
                throw new ConfigException("backends." + m.backend() + ".models." + m.configName()
                        + ": a --model option has the same name");
            }
            localNames.put(m.configName(), m.engineName());
            if (m.refusal() != null) {
                unavailable.put(m.configName(), m.refusal());
                log.accept("local model " + m.configName() + " cannot serve (" + m.refusal().reason() + "): "
                        + m.refusal().detail() + "; its routes fall back to their next target");
            } else if (m.loadAtStart() == null) {
                log.accept("local model " + m.configName() + " (" + m.engineName() + ") is not in the store: it is"
                        + " pulled on first use ('hearth pull " + m.engineName() + "' fetches it now, 'hearth import"
                        + " FILE NAME' stores a GGUF file you have)");
            }
        }
        return new Router(config, local, new StartupChecks(unavailable, disabled, localNames), keys,
                new RouteMetrics(), new QueueWaitEstimator(System::nanoTime));
    }

    /** As {@link #loadLocal(RoutingConfig, LocalBackend, LoadOptions, ServerMetrics, Consumer, ModelLocator)}
     * with file paths only. */
    public static void loadLocal(RoutingConfig config, LocalBackend local, LoadOptions options, ServerMetrics metrics,
            Consumer<String> log) {
        loadLocal(config, local, options, metrics, log, null);
    }

    /**
     * Loads the configured local models that passed the checks and are on disk (files, stored models); one that
     * fails to load is logged and skipped. Catalogue models not stored yet load on first use.
     */
    public static void loadLocal(RoutingConfig config, LocalBackend local, LoadOptions options, ServerMetrics metrics,
            Consumer<String> log, ModelLocator locator) {
        for (LocalModel m : localModels(config, options, locator)) {
            if (m.refusal() != null) {
                local.failed(m.engineName(), m.refusal().detail());  // listed by /health; its routes fall back
                continue;
            }
            if (m.loadAtStart() == null || local.model(m.engineName()).isPresent()) {
                continue;
            }
            try {
                LoadedModel model = ModelLoader.load(m.loadAtStart(), m.engineName(), options);
                local.add(model);
                metrics.modelLoaded(m.engineName(), model.info().loadMillis() / 1000.0);
                log.accept("loaded " + m.configName() + " from " + m.loadAtStart() + " in "
                        + model.info().loadMillis() + " ms (context " + model.info().contextLength() + ")");
            } catch (java.io.IOException | RuntimeException | Error e) {
                local.failed(m.engineName(), String.valueOf(e.getMessage()));
                log.accept("local model " + m.configName() + " failed to load (" + e.getMessage()
                        + "); its routes fall back to their next target");
            }
        }
    }

    /** Every configured local model, checked: a file must exist and fit; a name must be stored or pullable. */
    static List<LocalModel> localModels(RoutingConfig config, LoadOptions options, ModelLocator locator) {
        List<LocalModel> out = new ArrayList<>();
        MachineProfile machine = null;
        for (BackendConfig b : config.backends().values()) {
            if (!(b instanceof BackendConfig.Local l)) {
                continue;
            }
            machine = machine == null ? MachineProfile.unmeasured() : machine;
            for (Map.Entry<String, String> m : l.models().entrySet()) {
                out.add(check(l.name(), m.getKey(), m.getValue(), options, machine, locator));
            }
        }
        return out;
    }

    private static LocalModel check(String backend, String configName, String value, LoadOptions options, MachineProfile machine,
            ModelLocator locator) {
        if (ModelLocator.looksLikePath(value)) {
            Path path = Path.of(value);
            return new LocalModel(backend, configName, configName, path, LocalModelCheck.check(path, options, machine));
        }
        if (locator == null) {
            return new LocalModel(backend, configName, value, null, new LocalModelCheck.Refusal("not_stored", "the model '"
                    + value + "' cannot be looked up in the store here"));
        }
        Optional<String> stored = locator.storedName(value);
        if (stored.isPresent()) {
            try {
                Path path = locator.store().resolve(stored.get()).path();
                return new LocalModel(backend, configName, stored.get(), path, LocalModelCheck.check(path, options, machine));
            } catch (HubException e) {
                return new LocalModel(backend, configName, stored.get(), null, new LocalModelCheck.Refusal("not_stored",
                        e.getMessage()));
            }
        }
        try {
            PullRef.parse(value);
        } catch (HubException e) {
            return new LocalModel(backend, configName, value, null, new LocalModelCheck.Refusal("not_stored", "the model '"
                    + value + "' is not in the store ('hearth list') nor in the catalogue; store a GGUF file under"
                    + " that name with 'hearth import FILE " + value + "'"));
        }
        if (!locator.canPull()) {
            return new LocalModel(backend, configName, value, null, new LocalModelCheck.Refusal("not_stored", "the model '"
                    + value + "' is not in the store; pull it first ('hearth pull " + value + "')"));
        }
        return new LocalModel(backend, configName, value, null, null);
    }
}
