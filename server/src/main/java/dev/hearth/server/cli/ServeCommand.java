package dev.hearth.server.cli;

import dev.hearth.server.agents.AgentDatabase;
import dev.hearth.server.agents.AgentGate;
import dev.hearth.server.http.HearthServer;
import dev.hearth.server.http.ServerParts;
import dev.hearth.server.http.ServerSettings;
import dev.hearth.server.metrics.ServerMetrics;
import dev.hearth.server.hub.MachineProfile;
import dev.hearth.server.hub.ModelStore;
import dev.hearth.server.hub.Planner;
import dev.hearth.server.hub.Puller;
import dev.hearth.server.local.LoadOptions;
import dev.hearth.server.local.LoadedModels;
import dev.hearth.server.local.StoreModelSource;
import dev.hearth.server.local.LoadedModel;
import dev.hearth.server.local.LocalBackend;
import dev.hearth.server.local.ModelSpec;
import dev.hearth.server.route.Router;
import dev.hearth.server.route.RouterSetup;
import dev.hearth.server.config.ConfigLoader;
import dev.hearth.server.config.RoutingConfig;
import dev.hearth.server.config.ServerSection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code hearth serve}: load models and serve the OpenAI and Ollama APIs until stopped. */
@Command(name = "serve", sortOptions = false, mixinStandardHelpOptions = true,
        description = "Serve models over OpenAI-compatible (/v1) and Ollama-compatible (/api) HTTP APIs, with "
                + "/health and Prometheus /metrics.")
final class ServeCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    DeviceOptions deviceOptions = new DeviceOptions();

    @Option(names = "--config", paramLabel = "FILE",
            description = "A routing configuration (YAML): local models, remote OpenAI-compatible backends and routes"
                    + " with fallback; see config/hearth.example.yaml.")
    Path config;

    @Option(names = "--model", paramLabel = "PATH[=ALIAS]|NAME",
            description = "A model to load at start (repeatable): a GGUF file, named by ALIAS or the file name "
                    + "without .gguf, or a model in the local store by its name. Other stored models load on first "
                    + "request.")
    List<String> models = new ArrayList<>();

    @Option(names = "--host", defaultValue = "127.0.0.1",
            description = "Address to bind (default ${DEFAULT-VALUE}: this machine only; 0.0.0.0 for all).")
    String host;

    @Option(names = "--port", defaultValue = "" + ServerSettings.DEFAULT_PORT,
            description = "Port (default ${DEFAULT-VALUE}, as llama.cpp's server; Ollama clients may need "
                    + "--port 11434).")
    int port;

    @Option(names = "--api-key", defaultValue = "${env:HEARTH_API_KEY}",
            description = "Require 'Authorization: Bearer KEY' on everything but /health (default: env "
                    + "HEARTH_API_KEY; none when unset).")
    String apiKey;

    @Option(names = "--parallel", defaultValue = "4",
            description = "Sequences generating at once per model (KV slots; default ${DEFAULT-VALUE}).")
    int parallel;

    @Mixin
    ContextSizeOption contextSize;

    @Mixin
    ThreadsOption threads;

    @Mixin
    BatchOption batch;

    @Option(names = "--max-queue", defaultValue = "256",
            description = "Requests that may wait for a slot per model; beyond it 429 (default ${DEFAULT-VALUE}).")
    int maxQueue;

    @Mixin
    KvOption kv;

    @Option(names = "--keep-alive", defaultValue = "5m",
            description = "How long a model loaded on request stays after its last use (default ${DEFAULT-VALUE}; "
                    + "e.g. 30s, 1h; -1 forever). Requests may set Ollama's keep_alive.")
    String keepAlive;

    @Option(names = "--max-body-size", defaultValue = "" + ServerSettings.DEFAULT_MAX_BODY_BYTES,
            description = "Largest request body in bytes; larger ones get 413 (default ${DEFAULT-VALUE}).")
    long maxBodyBytes;

    @Mixin
    ConnectionOptions connectionOptions = new ConnectionOptions();

    @Option(names = "--no-agents",
            description = "Do not open $HEARTH_HOME/agents.db: no agent keys, quotas or usage ledger.")
    boolean noAgents;

    @Mixin
    RepackCacheOption repackCache = new RepackCacheOption();

    @Override
    public Integer call() throws Exception {
        LoadOptions options = new LoadOptions(parallel, contextSize.contextSize, threads.threads(), batch.batch,
                maxQueue, kv.precision()).withRepackCache(repackCache.folder())
                .withDevice(deviceOptions.choice());
        RoutingConfig routing = config == null ? null : ConfigLoader.load(config);
        ServerSection fileSettings = routing == null ? ServerSection.EMPTY : routing.server();
        ServerSettings settings = new ServerSettings(host, port, apiKey, maxBodyBytes,
                connectionOptions.limits(fileSettings), connectionOptions.metricsPublic(fileSettings),
                connectionOptions.openPull(fileSettings));
        List<Map.Entry<Path, String>> specs = new ArrayList<>();
        for (String spec : models) {
            Map.Entry<Path, String> parsed = ModelSpec.parse(spec);
            if (specs.stream().anyMatch(e -> e.getValue().equals(parsed.getValue()))) {
                throw new IllegalArgumentException("two --model options are named '" + parsed.getValue()
                        + "'; give one an alias: --model PATH=ALIAS");
            }
            specs.add(parsed);
        }
        Duration idleKeepAlive = parseKeepAlive(keepAlive);
        Puller puller = Puller.fromEnvironment();
        StoreModelSource store = new StoreModelSource(ModelStore.open(), new Planner(MachineProfile.unmeasured()),
                options, puller);
        LocalBackend backend = new LocalBackend(new LoadedModels(store, idleKeepAlive,
                System::currentTimeMillis));
        ServerMetrics metrics = new ServerMetrics(backend);
        Router router = routing == null ? Router.direct(backend) : RouterSetup.create(routing, backend, specs,
                options, System::getenv, System.err::println, store.locator());
        List<LoadedModel> loaded = new java.util.concurrent.CopyOnWriteArrayList<>();
        if (!repackCache.off) {  // as ollama prunes unused blobs at start: headers only, a few milliseconds
            Thread.ofVirtual().name("hearth-cache-prune").start(() -> RepackCachePruning.prune(System.err));
        }
        specs.forEach(spec -> backend.starting(spec.getValue()));
        // the models load while the HTTP server starts (a second of class loading on one core): /health says
        // "loading" until they are ready
        // a model that fails to load is listed as failed (/health) and the others serve: the server never exits for it
        Thread loader = Thread.ofVirtual().name("hearth-model-loader").start(() -> {
            for (int i = 0; i < specs.size(); i++) {
                String name = specs.get(i).getValue();
                try {
                    long inUse = backend.models().stream().mapToLong(m -> m.sizeBytes()).sum();
                    LoadedModel model = ModelSpec.load(models.get(i), options, store, inUse);
                    backend.add(model);
                    loaded.add(model);
                    metrics.modelLoaded(model.info().name(), model.info().loadMillis() / 1000.0);
                    System.err.printf("loaded %s from %s in %d ms (context %d, %d slots; %s)%n", model.info().name(),
                            model.info().path(), model.info().loadMillis(), model.info().contextLength(), parallel,
                            model.engine().placement());
                } catch (Exception | Error e) {
                    String reason = e.getMessage() == null ? e.toString() : e.getMessage();
                    backend.failed(name, reason);
                    System.err.printf("model %s failed to load: %s (the other models keep serving)%n", name, reason);
                }
            }
            if (routing != null) {
                RouterSetup.loadLocal(routing, backend, options, metrics, System.err::println, store.locator());
            }
        });
        AgentGate agents;
        try {  // after the loader's start: the key store's open is a tenth of a second of a start's class loading
            agents = noAgents ? null : AgentGate.open(AgentDatabase.defaultPath(), settings.apiKey());
        } catch (RuntimeException | Error e) {
            loader.interrupt();
            throw e;
        }
        if (agents != null) {
            agents.metrics().fairnessSource(() -> loaded.stream().collect(java.util.stream.Collectors.toMap(
                    m -> m.info().name(), m -> m.engine().fairnessIndex())));
        }
        HearthServer server;
        try {
            server = HearthServer.start(ServerParts.of(router, settings, metrics).withAgents(agents)
                    .withPuller(puller));
        } catch (RuntimeException | Error e) {  // the port is taken: the command fails, the load is not wanted
            loader.interrupt();
            throw e;
        }
        System.err.printf("hearth listening on http://%s:%d (OpenAI: /v1, Ollama: /api)%s%n", host, server.port(),
                settings.apiKey() == null ? "" : ", API key required");
        Duration grace = connectionOptions.shutdownGrace(fileSettings);
        ServerShutdown shutdown = new ServerShutdown(server, router, backend, agents, grace);
        shutdown.onSignals();
        shutdown.awaitSignal();
        loader.interrupt();
        shutdown.run();
        return 0;
    }

    /** {@code 5m}, {@code 30s}, {@code 1h}, {@code 500ms}, or seconds; negative: forever. */
    static Duration parseKeepAlive(String text) {
        return ConnectionOptions.duration("--keep-alive", text);
    }
}
