package dev.hearth.server.route;

import dev.hearth.engine.Engine;
import dev.hearth.engine.EngineOptions;
import dev.hearth.engine.ModelRunner;
import dev.hearth.engine.StepBatch;
import dev.hearth.kv.BlockAllocator;
import dev.hearth.server.backend.ModelInfo;
import dev.hearth.server.chat.ChatOutputFormat;
import dev.hearth.server.local.LoadedModel;
import dev.hearth.server.local.LocalBackend;

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
        return model(MODEL, ChatOutputFormat.PLAIN, slots, context, maxWaiting, stepDelayMillis);
    }

    /** A backend with one fake model whose answers are parsed as {@code format} says. */
    public static LocalBackend withFormat(ChatOutputFormat format) {
        LocalBackend backend = new LocalBackend();
        backend.add(model(MODEL, format, 16, 512, 64, 0));
        return backend;
    }

    public static LoadedModel model(String name, ChatOutputFormat format, int slots, int context, int maxWaiting,
            long stepDelayMillis) {
        FakeRunner runner = new FakeRunner(slots, context, 256, stepDelayMillis);
        ModelInfo info = new ModelInfo(name, "/models/fake.gguf", 1234, "llama", "Q4_0", 15_000_000, context,
                1_700_000_000L, 42);
        return new LoadedModel(info, new FakeText(format), new Engine(runner, new EngineOptions(name, maxWaiting)));
    }

    /** A fake model whose forward pass throws from its {@code failAt}-th step on (an engine failure mid-answer). */
    public static LocalBackend failing(int failAt) {
        int[] steps = {0};
        return observed(4, 512, 0, 8, () -> {
            if (++steps[0] >= failAt) {
                throw new IllegalStateException("simulated kernel failure at step " + steps[0]);
            }
        });
    }

    /**
     * A backend serving {@link #MODEL} on a fake runner whose every forward step first runs {@code beforeStep} (to
     * count steps or fail one).
     */
    public static LocalBackend observed(int slots, int context, long stepDelayMillis, int maxWaiting,
            Runnable beforeStep) {
        FakeRunner runner = new FakeRunner(slots, context, 256, stepDelayMillis);
        ModelRunner watched = new ModelRunner() {
            @Override
            public int vocabularySize() {
                return runner.vocabularySize();
            }

            @Override
            public int maxSequences() {
                return runner.maxSequences();
            }

            @Override
            public int contextLength() {
                return runner.contextLength();
            }

            @Override
            public int maxBatchTokens() {
                return runner.maxBatchTokens();
            }

            @Override
            public BlockAllocator kvBlocks() {
                return runner.kvBlocks();
            }

            @Override
            public void forward(StepBatch plan, float[] logits) {
                beforeStep.run();
                runner.forward(plan, logits);
            }

            @Override
            public void releaseSlot(int slot) {
                runner.releaseSlot(slot);
            }
        };
        ModelInfo info = new ModelInfo(MODEL, "/models/fake.gguf", 1234, "llama", "Q4_0", 15_000_000, context,
                1_700_000_000L, 42);
        LocalBackend backend = new LocalBackend();
        backend.add(new LoadedModel(info, new FakeText(), new Engine(watched, new EngineOptions(MODEL, maxWaiting))));
        return backend;
    }

    public static LocalBackend create() {
        return create(16, 512, 64, 0);
    }
}
