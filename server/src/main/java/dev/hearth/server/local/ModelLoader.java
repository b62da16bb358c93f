package dev.hearth.server.local;

import dev.hearth.engine.Engine;
import dev.hearth.engine.EngineOptions;
import dev.hearth.engine.FinishReason;
import dev.hearth.engine.GenerationEvent;
import dev.hearth.engine.GenerationHandle;
import dev.hearth.engine.GenerationRequest;
import dev.hearth.engine.LocalModelRunner;
import dev.hearth.gguf.GgmlType;
import dev.hearth.gguf.GgufFile;
import dev.hearth.gguf.GgufKeys;
import dev.hearth.gguf.GgufTensorInfo;
import dev.hearth.server.backend.ModelInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/** Loads a GGUF file into a {@link LoadedModel}: the model and its engine, tokenizer and chat template. */
public final class ModelLoader {
    private ModelLoader() {}

    public static LoadedModel load(Path path, String name, LoadOptions options) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new NoSuchFileException(path.toString(), null, "model file not found");
        }
        return load(GgufFile.open(path), name, options);
    }

    /**
     * Loads a model over a file the caller opened (and planned from: one parse of its header per load); the model owns
     * the file from here on, and closes it at once when the load fails.
     */
    public static LoadedModel load(GgufFile file, String name, LoadOptions options) throws IOException {
        Path path = file.path();
        long start = System.nanoTime();
        // the tokenizer and chat template are built beside the weights (from the header this load already parsed):
        // 0.4-0.6 s of a 14B's start, on the core the weights' load leaves free while the HTTP server starts
        TextLoad textLoad = new TextLoad(file, name);
        LocalModelRunner runner;
        try {
            runner = LocalModelRunner.load(file, options.threads(), options.maxBatchTokens(),
                    options.contextLength(), options.parallel(), options.kvPrecision(), 0, options.repackCache(),
                    options.device());
        } catch (IOException | RuntimeException | Error e) {
            textLoad.abandon();
            throw e;
        }
        long loaded = System.nanoTime();
        Engine engine = new Engine(runner, new EngineOptions(name, options.maxWaiting()));
        ModelText text;
        try {
            // while the text side may still be building: it needs no tokenizer
            warmUp(engine, warmUpToken(file, runner.vocabularySize()));
            text = textLoad.await();
        } catch (RuntimeException | Error e) {
            textLoad.abandon();
            engine.close();
            throw e;
        }
        runner.startRepackCheck();  // the repack cache's chunk check, once the load is done
        long end = System.nanoTime();
        long millis = (end - start) / 1_000_000;
        System.err.printf(java.util.Locale.ROOT, "load of %s: %.2f s (%s, warm-up and the rest of the tokenizer and"
                + " template %.2f s; the tokenizer and template took %.2f s beside the rest); %s%n", name,
                (end - start) / 1e9, runner.loadPhases(), (end - loaded) / 1e9, textLoad.seconds(),
                runner.repackNote());
        ModelInfo info = new ModelInfo(name, path.toString(), textLoad.partial.sizeBytes(),
                textLoad.partial.architecture(), textLoad.partial.quantization(), textLoad.partial.parameterCount(),
                runner.contextLength(), System.currentTimeMillis() / 1000, millis);
        return new LoadedModel(info, text, engine);
    }

    /**
     * The model's text side (tokenizer, chat template) and its description, built on a thread of its own from the
     * parsed header while the weights load. The model's own parse of the file: a second one cost 0.2-0.4 s of a
     * 152k-token vocabulary.
     */
    private static final class TextLoad {
        private record Built(ModelText text, ModelInfo partial, long nanos) {}

        private final java.util.concurrent.FutureTask<Built> task;
        private ModelInfo partial;
        private long nanos;

        TextLoad(GgufFile file, String name) {
            task = new java.util.concurrent.FutureTask<>(() -> {
                long start = System.nanoTime();
                ModelText text = GgufModelText.create(file, Clock.systemDefaultZone());
                return new Built(text, describe(file, name), System.nanoTime() - start);
            });
            Thread.ofPlatform().name("hearth-text-load").daemon().start(task);
        }

        /** The text side, once built; its failure rethrown. */
        ModelText await() {
            Built built;
            try {
                built = waitUninterruptibly();
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw (Error) e.getCause();  // the task throws nothing checked
            }
            partial = built.partial();
            nanos = built.nanos();
            return built.text();
        }

        /** Waits for the thread after a failed load (it reads the header the load is about to close). */
        void abandon() {
            try {
                waitUninterruptibly();
            } catch (java.util.concurrent.ExecutionException e) {
                // the load's own failure is the one reported
            }
        }

        double seconds() {
            return nanos / 1e9;
        }

        /** The task's outcome; an interrupt is kept for the caller, as the task ends on its own (the header is in memory). */
        private Built waitUninterruptibly() throws java.util.concurrent.ExecutionException {
            boolean interrupted = false;
            try {
                while (true) {
                    try {
                        return task.get();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /**
     * One token generated from a one-token prompt, so the weights are paged in, the buffers sized and the forward
     * pass's code compiled before the model is announced ready ({@code /health}).
     */
    static void warmUp(Engine engine, int token) {
        int[] prompt = {token};
        GenerationHandle handle = engine.submit(GenerationRequest.greedyIds(prompt, 1, Set.of()));
        try {
            GenerationEvent event;
            do {
                event = handle.take();
            } while (!(event instanceof GenerationEvent.Done));
            GenerationEvent.Done done = (GenerationEvent.Done) event;
            if (done.reason() == FinishReason.ERROR) {
                throw new IllegalStateException("the model failed its warm-up pass: " + done.error());
            }
        } catch (InterruptedException e) {
            handle.cancel();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while warming up the model", e);
        }
    }

    /** The warm-up's prompt: the model's BOS token where the file names one the model has, else token 0. */
    static int warmUpToken(GgufFile file, int vocabularySize) {
        long bos = file.metadata().getLong(GgufKeys.TOKENIZER_BOS_ID, 0);
        return bos > 0 && bos < vocabularySize ? (int) bos : 0;
    }

    /** Architecture, the dominant weight type (by bytes) and the parameter count from the file's directory. */
    static ModelInfo describe(GgufFile file, String name) {
        Map<GgmlType, Long> bytesByType = new EnumMap<>(GgmlType.class);
        long parameters = 0;
        for (GgufTensorInfo t : file.tensors()) {
            parameters += t.elementCount();
            if (t.shape().length >= 2) {
                bytesByType.merge(t.type(), t.byteSize(), Long::sum);
            }
        }
        String quantization = bytesByType.entrySet().stream().max(Map.Entry.comparingByValue())
                .map(e -> e.getKey().name()).orElse("unknown");
        String architecture = file.metadata().getString(GgufKeys.GENERAL_ARCHITECTURE, "unknown");
        return new ModelInfo(name, file.path().toString(), file.fileSize(), architecture, quantization, parameters,
                0, 0, 0);
    }
}
