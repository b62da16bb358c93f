package dev.hearth.server.route;

import dev.hearth.engine.Engine;
import dev.hearth.engine.EngineOptions;

/** A {@link LocalBackend} over {@link FakeRunner} models: the real engine, a deterministic fake model. */
public final class FakeBackends {
    public static final String MODEL = "fake-model";

    private FakeBackends() {}

    public static LocalBackend create(int slots, int context, int maxWaiting, long stepDelayMillis) {
        LocalBackend backend = new LocalBackend();
        backend.add(model(slots, context, maxWaiting, stepDelayMillis));
        return backend;
    }

    /** One fake model named {@link #MODEL}: its engine has {@code slots} KV slots of {@code context} positions. */
    public static LoadedModel model(int slots, int context, int maxWaiting, long stepDelayMillis) {
        FakeRunner runner = new FakeRunner(slots, context, 256, stepDelayMillis);
        ModelInfo info = new ModelInfo(MODEL, "/models/fake.gguf", 1234, "llama", "Q4_0", 15_000_000, context,
                1_700_000_000L, 42);
        return new LoadedModel(info, new FakeText(), new Engine(runner, new EngineOptions(MODEL, maxWaiting)));
    }

    public static LocalBackend create() {
        return create(16, 512, 64, 0);
    }
}
