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
        LocalModelRunner runner = LocalModelRunner.load(file, options.threads(), options.maxBatchTokens(),
                options.contextLength(), options.parallel(), options.kvPrecision(), 0, options.repackCache(),
                options.device());
        long loaded = System.nanoTime();
        ModelText text;
        ModelInfo partial;
        try {  // the model's own parse of the file: a second one cost 0.2-0.4 s of a 152k-token vocabulary
            text = GgufModelText.create(file, Clock.systemDefaultZone());
            partial = describe(file, name);
        } catch (RuntimeException e) {
            runner.close();
            throw e;
        }
        long described = System.nanoTime();
        Engine engine = new Engine(runner, new EngineOptions(name, options.maxWaiting()));
        try {
            warmUp(engine, text);
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
        runner.startRepackCheck();  // the repack cache's chunk check, once the load is done
        long end = System.nanoTime();
        long millis = (end - start) / 1_000_000;
        System.err.printf(java.util.Locale.ROOT, "load of %s: %.2f s (%s, tokenizer and template %.2f s, warm-up %.2f s);"
                + " %s%n", name, (end - start) / 1e9, runner.loadPhases(), (described - loaded) / 1e9,
                (end - described) / 1e9, runner.repackNote());
        ModelInfo info = new ModelInfo(name, path.toString(), partial.sizeBytes(), partial.architecture(),
                partial.quantization(), partial.parameterCount(), runner.contextLength(),
                System.currentTimeMillis() / 1000, millis);
        return new LoadedModel(info, text, engine);
    }

    /**
     * One token generated from a short prompt, so the weights are paged in and the buffers sized before the model
     * is announced ready ({@code /health}).
     */
    static void warmUp(Engine engine, ModelText text) {
        int[] prompt = text.encodePrompt("Hi");
        if (prompt.length == 0 || prompt.length >= engine.contextLength()) {
            prompt = new int[] {0};
        }
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
