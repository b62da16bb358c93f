package dev.hearth.server.local;

import dev.hearth.gguf.GgufFile;
import dev.hearth.kv.KvPrecision;
import dev.hearth.server.backend.InsufficientMemoryException;
import dev.hearth.server.backend.PullPermission;
import dev.hearth.server.backend.UnknownModelException;
import dev.hearth.server.hub.HubException;
import dev.hearth.server.hub.MemoryPlan;
import dev.hearth.server.hub.ModelNotFoundException;
import dev.hearth.server.hub.ModelLocator;
import dev.hearth.server.hub.ModelStore;
import dev.hearth.server.hub.PlanRequest;
import dev.hearth.server.hub.Planner;
import dev.hearth.server.hub.ResolvedModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.System.Logger.Level;
import java.util.Optional;

/**
 * Loads models from the local store by name, as Ollama does on first use: resolves the name through the shared
 * {@link ModelLocator} (stored, else pulled when it is a catalogue name or hf:// reference; never a file path), asks the planner whether weights and KV cache fit in the memory that loaded models
 * leave free, then loads.
 */
public final class StoreModelSource implements LoadedModels.ModelSource {
    private static final System.Logger LOG = System.getLogger(StoreModelSource.class.getName());
    /** How long a failed pull on first use is answered from memory before it is tried again. */
    static final long RETRY_FAILED_PULL_NANOS = 30_000_000_000L;

    private record FailedPull(long atNanos, String message) {}

    private final java.util.Map<String, FailedPull> failedPulls = new java.util.concurrent.ConcurrentHashMap<>();
    private final ModelLocator locator;
    private final Planner planner;
    private final LoadOptions options;

    public StoreModelSource(ModelStore store, Planner planner, LoadOptions options) {
        this(store, planner, options, null);
    }

    /**
     * @param puller downloads a catalogue name or an {@code hf://} reference that is not stored yet, on first use;
     *     null: such models must be pulled first
     */
    public StoreModelSource(ModelStore store, Planner planner, LoadOptions options,
            dev.hearth.server.hub.Puller puller) {
        this.locator = new ModelLocator(store, puller);
        this.planner = planner;
        this.options = options;
    }

    /** The shared name resolver this source loads through. */
    public ModelLocator locator() {
        return locator;
    }

    @Override
    public Optional<String> canonicalName(String requested) {
        Optional<String> stored = locator.storedName(requested);
        if (stored.isPresent()) {
            return stored;
        }
        try {
            dev.hearth.server.hub.PullRef.parse(requested);
            return Optional.of(requested);  // pullable on first use
        } catch (HubException e) {
            return Optional.empty();
        }
    }

    @Override
    public LoadedModel load(String name, long bytesInUse, PullPermission pull) throws IOException {
        ResolvedModel resolved;
        boolean[] pulling = {false};
        try {
            // Ollama-style: a catalogue name or hf:// reference that is not stored is downloaded on first use; a
            // catalogue model is checked against free memory from its known shape before any byte is fetched
            resolved = locator.locateName(name, dev.hearth.server.hub.PullListener.NONE,
                    (requested, ref) -> {
                        if (pull == PullPermission.REFUSED) {
                            throw new UnknownModelException(name, "the model '" + name + "' is not in the local"
                                    + " store, and only the admin may make the server download it (or start the"
                                    + " server with --open-pull)");
                        }
                        refuseBeforeDownload(requested, bytesInUse);
                        refuseRecentlyFailed(requested);
                        pulling[0] = true;
                        LOG.log(Level.INFO, "pulling " + requested + " on first use");
                    });
        } catch (ModelNotFoundException e) {
            throw new UnknownModelException(name, e.getMessage());
        } catch (HubException e) {
            if (pulling[0]) {
                failedPulls.put(name, new FailedPull(System.nanoTime(), e.getMessage()));
            }
            throw e;
        }
        return admitAndLoad(resolved, resolved.manifest().name(), name, bytesInUse);
    }

    /**
     * The planner's check, then the load, from one parse of the file's header (a 152k-token vocabulary took 0.2-0.4
     * s a parse at start, and there were three: the summary, the estimate, the loader's).
     */
    private LoadedModel admitAndLoad(ResolvedModel resolved, String modelName, String requested, long bytesInUse)
            throws IOException {
        GgufFile file = resolved.shards().size() == 1 ? GgufFile.open(resolved.path()) : null;  // split: planned apart
        MemoryPlan plan;
        try {
            plan = admit(resolved, requested, bytesInUse, file);
        } catch (IOException | RuntimeException | Error e) {
            if (file != null) {
                file.close();
            }
            throw e;
        }
        LoadedModel model = file != null ? ModelLoader.load(file, modelName, options)  // the model owns the file now
                : ModelLoader.load(resolved.path(), modelName, options);
        reportMemory(model.info().name(), plan);
        return model;
    }

    /**
     * With no network every request for a model that is not stored would wait through the pull's retries again;
     * for {@link #RETRY_FAILED_PULL_NANOS} after a failed pull, requests get that failure at once instead.
     */
    private void refuseRecentlyFailed(String name) {
        FailedPull failed = failedPulls.get(name);
        if (failed == null) {
            return;
        }
        long age = System.nanoTime() - failed.atNanos();
        if (age >= RETRY_FAILED_PULL_NANOS) {
            failedPulls.remove(name, failed);
            return;
        }
        throw new HubException(failed.message() + " (" + age / 1_000_000_000L + " s ago; the next try is in "
                + Math.max(1, (RETRY_FAILED_PULL_NANOS - age) / 1_000_000_000L) + " s)");
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
        return new PlanRequest(free, context, options.parallel(), options.kvPrecision(), options.device());
    }

    /** Loads a GGUF file given by path ({@code --model PATH}) after the planner's check. */
    public LoadedModel loadFile(Path path, String name, long bytesInUse) throws IOException {
        return admitAndLoad(ModelLocator.file(path, name), name, name, bytesInUse);
    }

    /** Predicted (planner) against measured (resident set of this process) memory, after a load. */
    private static void reportMemory(String name, MemoryPlan plan) {
        long resident = residentBytes();
        double gib = 1L << 30;
        System.err.printf(java.util.Locale.ROOT, "memory for %s: predicted %.2f GiB with the KV cache in full use (weights"
                + " %.2f GiB + repacked %.2f + KV %.2f + compute %.2f + runtime %.2f%s), %.2f GiB before any KV position"
                + " is written; resident process memory now %s%n", name, plan.totalBytes() / gib,
                plan.weightBytes() / gib, plan.repackGrowthBytes() / gib, plan.kvCacheBytes() / gib,
                plan.computeBytes() / gib, plan.overheadBytes() / gib, plan.deviceHostBytes() > 0
                        ? String.format(java.util.Locale.ROOT, " + the device's part %.2f", plan.deviceHostBytes() / gib)
                        : "", (plan.totalBytes() - plan.kvCacheBytes()) / gib,
                resident < 0 ? "unknown" : String.format(java.util.Locale.ROOT, "%.2f GiB", resident / gib));
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
        return admit(ModelLocator.file(path, name), name, bytesInUse, null);
    }

    private MemoryPlan admit(ResolvedModel resolved, String name, long bytesInUse, GgufFile open) throws IOException {
        PlanRequest request = request(bytesInUse);
        MemoryPlan plan;
        try {
            plan = planner.admit(resolved, request, open);
        } catch (HubException e) {
            MemoryPlan refused = planner.check(resolved, request, open);
            if (refused.device() != null && !refused.device().fits()) {
                throw new InsufficientMemoryException(name, refused.device().placement().shortfall(),
                        refused.describe());
            }
            throw new InsufficientMemoryException(name, refused.totalBytes(), refused.budgetBytes(),
                    refused.describe());
        }
        if (plan.verdict() == MemoryPlan.Verdict.TIGHT) {
            LOG.log(Level.WARNING, "loading " + plan.describe());
        }
        return plan;
    }
}
