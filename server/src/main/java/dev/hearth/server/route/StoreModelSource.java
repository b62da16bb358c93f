package dev.hearth.server.route;

import dev.hearth.kv.KvPrecision;
import dev.hearth.server.hub.HubException;
import dev.hearth.server.hub.MemoryPlan;
import dev.hearth.server.hub.ModelNotFoundException;
import dev.hearth.server.hub.ModelStore;
import dev.hearth.server.hub.PlanRequest;
import dev.hearth.server.hub.Planner;
import dev.hearth.server.hub.ResolvedModel;
import dev.hearth.server.hub.ModelManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.lang.System.Logger.Level;
import java.util.Optional;

/**
 * Loads models from the local store by name, as Ollama does on first use: resolves the name
 * ({@link ModelStore#resolve}), asks the planner whether weights and KV cache fit in the memory that loaded models
 * leave free, then loads.
 */
public final class StoreModelSource implements LoadedModels.ModelSource {
    private static final System.Logger LOG = System.getLogger(StoreModelSource.class.getName());
    private final ModelStore store;
    private final Planner planner;
    private final LoadOptions options;
    private final dev.hearth.server.hub.Puller puller;

    public StoreModelSource(ModelStore store, Planner planner, LoadOptions options) {
        this(store, planner, options, null);
    }

    /**
     * @param puller downloads a catalogue name or an {@code hf://} reference that is not stored yet, on first use;
     *     null: such models must be pulled first
     */
    public StoreModelSource(ModelStore store, Planner planner, LoadOptions options,
            dev.hearth.server.hub.Puller puller) {
        this.store = store;
        this.planner = planner;
        this.options = options;
        this.puller = puller;
    }

    /** The store name a catalogue name or hf:// reference pulls to, when this source may pull it. */
    private Optional<dev.hearth.server.hub.PullRef> pullable(String requested) {
        if (puller == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(dev.hearth.server.hub.PullRef.parse(requested));
        } catch (RuntimeException e) {
            return Optional.empty();  // neither a catalogue name nor an hf:// reference
        }
    }

    @Override
    public Optional<String> canonicalName(String requested) {
        try {
            Optional<String> stored = store.find(requested).map(m -> m.name());
            if (stored.isPresent()) {
                return stored;
            }
        } catch (RuntimeException e) {
            // not a valid store name; it may still be an hf:// reference
        }
        return pullable(requested).map(ref -> store.find(ref.localName()).isPresent() ? ref.localName() : requested);
    }

    @Override
    public LoadedModel load(String name, long bytesInUse) throws IOException {
        ResolvedModel resolved;
        try {
            resolved = store.resolve(name);
        } catch (HubException e) {  // not stored (ModelNotFoundException), or not a valid store name
            Optional<dev.hearth.server.hub.PullRef> ref = pullable(name);
            if (ref.isEmpty()) {
                throw new UnknownModelException(name, "the model '" + name + "' is not loaded and not in the local"
                        + " store; pull it first ('hearth pull " + name + "' or POST /api/pull)");
            }
            // Ollama-style: a catalogue name or hf:// reference that is not stored is downloaded on first use; a
            // catalogue model is checked against free memory from its known shape before any byte is fetched
            if (!PullPermission.allowed()) {
                throw new UnknownModelException(name, "the model '" + name + "' is not in the local store, and only the"
                        + " admin may make the server download it (or start the server with --open-pull)");
            }
            refuseBeforeDownload(name, bytesInUse);
            LOG.log(Level.INFO, "pulling " + name + " on first use");
            ModelManifest pulled = puller.pull(ref.get(), dev.hearth.server.hub.PullListener.NONE);
            resolved = store.resolve(pulled.name());
        }
        MemoryPlan plan = admit(resolved, name, bytesInUse);
        LoadedModel model = ModelLoader.load(resolved.path(), resolved.manifest().name(), options);
        reportMemory(model.info().name(), plan);
        return model;
    }

    private void refuseBeforeDownload(String name, long bytesInUse) {
        Optional<dev.hearth.server.hub.Catalogue.Selection> selection;
        try {
            selection = dev.hearth.server.hub.Catalogue.lookup(name);
        } catch (RuntimeException e) {
            return;  // the pull reports an unpublished quantization with its own message
        }
        if (selection.isEmpty()) {
            return;  // an hf:// reference: the shape is known only from the downloaded file
        }
        var entry = selection.get().entry();
        String quant = selection.get().quant();
        MemoryPlan plan = planner.plan(entry.name(), quant, entry.shape(), entry.estimatedBytes(quant),
                request(bytesInUse));
        if (plan.verdict() == MemoryPlan.Verdict.DOES_NOT_FIT) {
            throw new InsufficientMemoryException(name, plan.totalBytes(), plan.budgetBytes(), plan.describe());
        }
    }

    private PlanRequest request(long bytesInUse) {
        long free = Math.max(0, planner.machine().memoryBytes() - bytesInUse);
        int context = options.contextLength() > 0 ? options.contextLength() : 4096;
        return new PlanRequest(free, context, options.parallel(),
                dev.hearth.server.hub.KvPrecision.valueOf(options.kvPrecision().name()));
    }

    /** Loads a GGUF file given by path ({@code --model PATH}) after the planner's check. */
    public LoadedModel loadFile(Path path, String name, long bytesInUse) throws IOException {
        MemoryPlan plan = admitFile(path, name, bytesInUse);
        LoadedModel model = ModelLoader.load(path, name, options);
        reportMemory(name, plan);
        return model;
    }

    /** Predicted (planner) against measured (resident set of this process) memory, after a load. */
    private static void reportMemory(String name, MemoryPlan plan) {
        long resident = residentBytes();
        System.err.printf("memory for %s: predicted %.2f GiB (weights %.2f GiB + KV cache and buffers), resident"
                + " process memory now %s%n", name, plan.totalBytes() / 1073741824.0, plan.weightBytes() / 1073741824.0,
                resident < 0 ? "unknown" : String.format("%.2f GiB", resident / 1073741824.0));
    }

    /** VmRSS from /proc/self/status, or -1 where there is no such file. */
    static long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }

    /** The planner's check for a GGUF file given by path ({@code --model PATH}). */
    public MemoryPlan admitFile(Path path, String name, long bytesInUse) throws IOException {
        ModelManifest manifest = new ModelManifest(name, path.toString(), "", List.of(new ModelManifest.FileEntry(
                path.getFileName().toString(), "", Files.size(path))), "", "", 0, "");
        return admit(new ResolvedModel(manifest, path, List.of(path)), name, bytesInUse);
    }

    private MemoryPlan admit(ResolvedModel resolved, String name, long bytesInUse) throws IOException {
        PlanRequest request = request(bytesInUse);
        MemoryPlan plan;
        try {
            plan = planner.admit(resolved, request);
        } catch (HubException e) {
            MemoryPlan refused = planner.check(resolved, request);
            throw new InsufficientMemoryException(name, refused.totalBytes(), refused.budgetBytes(),
                    refused.describe());
        }
        if (plan.verdict() == MemoryPlan.Verdict.TIGHT) {
            LOG.log(Level.WARNING, "loading " + plan.describe());
        }
        return plan;
    }
}
