package dev.hearth.server.local;

import dev.hearth.server.backend.InsufficientMemoryException;
import dev.hearth.server.backend.ModelState;
import dev.hearth.server.backend.PullPermission;
import dev.hearth.server.backend.ModelUnavailableException;
import dev.hearth.server.backend.UnknownModelException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.LongSupplier;

/**
 * The models a {@link LocalBackend} holds, loaded and unloaded as Ollama does: a request naming a model that is not
 * loaded loads it from the {@link ModelSource} (once, however many requests wait for it); a model unused for its
 * keep-alive (the server's default, or the last request's {@code keep_alive}) is unloaded once it is idle. Models
 * given at start are kept until a request sets their keep-alive.
 */
public final class LoadedModels implements AutoCloseable {
    /** Where models that are not loaded come from (the local store). */
    public interface ModelSource {
        /** The name a model loads under, for a name a request gives; empty when there is no such model. */
        Optional<String> canonicalName(String requested);

        /**
         * Loads a model; {@link UnknownModelException} when it is not there (or would have to be downloaded and
         * {@code pull} refuses that), {@link InsufficientMemoryException} when it does not fit beside the
         * {@code bytesInUse} of the models loaded already.
         */
        LoadedModel load(String name, long bytesInUse, PullPermission pull) throws IOException;
    }

    private static final long FOREVER = Long.MAX_VALUE;

    /** One loaded model: in use by {@code users} requests; unloaded after {@code expiresAt} when idle. */
    private static final class Entry {
        final LoadedModel model;
        long keepAliveMillis;
        long expiresAt;
        int users;

        Entry(LoadedModel model, long keepAliveMillis, long now) {
            this.model = model;
            this.keepAliveMillis = keepAliveMillis;
            this.expiresAt = keepAliveMillis < 0 ? FOREVER : now + keepAliveMillis;
        }
    }

    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final Map<String, CompletableFuture<Entry>> loading = new HashMap<>();
    /** Models named at start that are not loaded yet, and models that failed (to load, or later): name to reason. */
    private final Map<String, String> starting = new LinkedHashMap<>();
    private final Map<String, String> failed = new LinkedHashMap<>();
    private final ModelSource source;
    private final long defaultKeepAliveMillis;
    private final LongSupplier clock;
    private final Thread reaper;
    private volatile boolean closed;

    /**
     * @param source null: only models added with {@link #add} are served
     * @param defaultKeepAlive how long a model loaded on demand stays after its last use; negative: forever
     * @param clock milliseconds, for expiry
     */
    public LoadedModels(ModelSource source, Duration defaultKeepAlive, LongSupplier clock) {
        this.source = source;
        this.defaultKeepAliveMillis = defaultKeepAlive.isNegative() ? -1 : defaultKeepAlive.toMillis();
        this.clock = clock;
        this.reaper = Thread.ofVirtual().name("hearth-keep-alive").start(this::reapLoop);
    }

    /** Adds a model loaded at start: kept until a request sets its keep-alive. */
    public synchronized void add(LoadedModel model) {
        String name = model.info().name();
        if (entries.containsKey(name)) {
            throw new IllegalArgumentException("a model named '" + name + "' is already loaded");
        }
        entries.put(name, new Entry(model, -1, clock.getAsLong()));
        starting.remove(name);
        failed.remove(name);
    }

    /** A model named at start is loading: requests for it get a 503 until {@link #add} or {@link #failed}. */
    public synchronized void starting(String name) {
        starting.put(name, "");
    }

    /** A model named at start could not be loaded: it stays listed as failed, its requests get a 503. */
    public synchronized void failed(String name, String reason) {
        starting.remove(name);
        failed.put(name, reason);
    }

    /** Every model known: loaded (ready, or failed at run time), loading at start, failed to load. */
    public synchronized List<ModelState> states() {
        List<ModelState> states = new ArrayList<>();
        for (LoadedModel m : entries.values().stream().map(e -> e.model).distinct().toList()) {
            states.add(m.engine().failure().map(reason -> new ModelState(m.info().name(), ModelState.State.FAILED,
                    reason)).orElse(ModelState.ready(m.info().name())));
        }
        starting.keySet().forEach(name -> states.add(new ModelState(name, ModelState.State.LOADING, null)));
        loading.keySet().forEach(name -> states.add(new ModelState(name, ModelState.State.LOADING, null)));
        failed.forEach((name, reason) -> states.add(new ModelState(name, ModelState.State.FAILED, reason)));
        return states;
    }

    /** Models that serve: loaded and not failed. */
    public synchronized List<LoadedModel> list() {
        return entries.values().stream().map(e -> e.model).distinct()
                .filter(m -> m.engine().failure().isEmpty()).toList();
    }

    public synchronized Optional<LoadedModel> find(String name) {
        return Optional.ofNullable(entries.get(name)).map(e -> e.model);
    }

    /** When the model will be unloaded if it stays idle; empty when never (or not loaded). */
    public synchronized Optional<Instant> expiresAt(String name) {
        Entry e = entries.get(name);
        return e == null || e.expiresAt == FOREVER ? Optional.empty() : Optional.of(Instant.ofEpochMilli(e.expiresAt));
    }

    /**
     * The model for a request, loading it first when needed; hold it until {@link Lease#close}, which starts its
     * keep-alive ({@code keepAlive} null: the model's current one; negative: forever; zero: unload when idle). A load
     * this request starts may download the model only as {@code pull} allows.
     */
    public Lease acquire(String name, Duration keepAlive, PullPermission pull) {
        if (name == null) {
            throw new UnknownModelException(null);
        }
        while (true) {
            CompletableFuture<Entry> pending;
            boolean mine = false;
            String key;
            synchronized (this) {
                if (starting.containsKey(name)) {
                    throw new ModelUnavailableException(new ModelState(name, ModelState.State.LOADING, null));
                }
                if (failed.containsKey(name)) {
                    throw new ModelUnavailableException(new ModelState(name, ModelState.State.FAILED,
                            failed.get(name)));
                }
                Entry e = entries.get(name);
                key = name;
                if (e == null && source != null) {
                    key = source.canonicalName(name).orElse(name);
                    e = entries.get(key);
                }
                if (e != null) {
                    String fault = e.model.engine().failure().orElse(null);
                    if (fault != null) {
                        throw new ModelUnavailableException(new ModelState(e.model.info().name(),
                                ModelState.State.FAILED, fault));
                    }
                    e.users++;
                    return new Lease(e, keepAlive);
                }
                if (source == null || closed) {
                    throw new UnknownModelException(name);
                }
                pending = loading.get(key);
                if (pending == null) {
                    pending = new CompletableFuture<>();
                    loading.put(key, pending);
                    mine = true;
                }
            }
            if (mine) {
                load(key, pending, pull);
            }
            try {
                pending.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            }
            // loaded: take it on the next turn (or load again when it was unloaded in between)
        }
    }

    private void load(String key, CompletableFuture<Entry> pending, PullPermission pull) {
        try {
            LoadedModel model = source.load(key, bytesInUse(), pull);
            synchronized (this) {
                Entry e = new Entry(model, defaultKeepAliveMillis, clock.getAsLong());
                entries.put(model.info().name(), e);
                if (!model.info().name().equals(key)) {
                    entries.put(key, e);
                }
                loading.remove(key);
                pending.complete(e);
            }
        } catch (IOException e) {
            fail(key, pending, new UncheckedIOException("loading the model '" + key + "' failed: " + e.getMessage(), e));
        } catch (RuntimeException | Error e) {
            fail(key, pending, e);
        }
    }

    private synchronized void fail(String key, CompletableFuture<Entry> pending, Throwable e) {
        loading.remove(key);
        pending.completeExceptionally(e);
    }

    private synchronized long bytesInUse() {
        return entries.values().stream().distinct().mapToLong(e -> e.model.info().sizeBytes()).sum();
    }

    /** A request's hold on a loaded model. */
    public final class Lease implements AutoCloseable {
        private final Entry entry;
        private final Duration keepAlive;
        private boolean released;

        private Lease(Entry entry, Duration keepAlive) {
            this.entry = entry;
            this.keepAlive = keepAlive;
        }

        public LoadedModel model() {
            return entry.model;
        }

        @Override
        public void close() {
            synchronized (LoadedModels.this) {
                if (released) {
                    return;
                }
                released = true;
                entry.users--;
                if (keepAlive != null) {
                    entry.keepAliveMillis = keepAlive.isNegative() ? -1 : keepAlive.toMillis();
                }
                entry.expiresAt = entry.keepAliveMillis < 0 ? FOREVER : clock.getAsLong() + entry.keepAliveMillis;
            }
            if (keepAlive != null && keepAlive.isZero()) {
                reap();
            }
        }
    }

    /** Unloads every model past its expiry that no request holds and whose engine is idle. */
    public void reap() {
        List<LoadedModel> unloaded = new ArrayList<>();
        synchronized (this) {
            long now = clock.getAsLong();
            for (var it = entries.entrySet().iterator(); it.hasNext(); ) {
                Entry e = it.next().getValue();
                if (e.users > 0 || e.expiresAt == FOREVER) {
                    continue;
                }
                if (e.model.engine().queuedCount() > 0) {  // still generating: the keep-alive counts from the end
                    e.expiresAt = Math.max(e.expiresAt, now + e.keepAliveMillis);
                } else if (now >= e.expiresAt) {
                    it.remove();
                    if (!unloaded.contains(e.model)) {
                        unloaded.add(e.model);
                    }
                }
            }
        }
        unloaded.forEach(LoadedModel::close);
    }

    private void reapLoop() {
        while (!closed) {
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                return;
            }
            reap();
        }
    }

    @Override
    public void close() {
        closed = true;
        reaper.interrupt();
        List<LoadedModel> all;
        synchronized (this) {
            all = entries.values().stream().map(e -> e.model).distinct().toList();
            entries.clear();
        }
        all.forEach(LoadedModel::close);
    }
}
