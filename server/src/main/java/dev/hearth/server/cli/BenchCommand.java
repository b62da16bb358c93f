package dev.hearth.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.engine.Engine;
import dev.hearth.engine.EngineOptions;
import dev.hearth.engine.GenerationEvent;
import dev.hearth.engine.GenerationHandle;
import dev.hearth.engine.GenerationRequest;
import dev.hearth.engine.LocalModelRunner;
import dev.hearth.engine.MemoryBandwidth;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hearth bench MODEL -p 128 -n 64 -b 1,16 -r 5}, like llama-bench: prompt processing (ppP) and generation
 * (tgN) tokens/s through the engine, for each batch size (that many sequences at once), median and spread over
 * repetitions, with the memory-bandwidth ceiling for decoding beside them.
 */
@Command(name = "bench", description = "Measure prompt and generation tokens/s of a model (like llama-bench).")
final class BenchCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    DeviceOptions deviceOptions = new DeviceOptions();

    @Parameters(index = "0", paramLabel = "MODEL", arity = "0..1",
            description = ModelArgument.DESCRIPTION + " Not with --target.")
    String model;

    @Option(names = "--target", paramLabel = "URL[#MODEL]",
            description = "Bench an OpenAI-compatible endpoint instead (repeatable; e.g. http://127.0.0.1:8080/v1): "
                    + "the same prompts against each, latency, TTFT, tokens/s and cost side by side.")
    List<String> targets = new ArrayList<>();

    @Option(names = "--target-model", description = "Model name to ask each --target for (unless URL#MODEL).")
    String targetModel;

    @Option(names = "--api-key-env", paramLabel = "VAR", description = "Environment variable with the targets' API key.")
    String apiKeyEnv;

    @Option(names = "--price", paramLabel = "IN/OUT", split = ",",
            description = "Dollars per million prompt/completion tokens, one per --target in order (e.g. 0.15/0.60).")
    List<String> prices = new ArrayList<>();

    @Option(names = "--prompt-text", description = "Prompts for --target (repeatable; default: three short ones).")
    List<String> promptTexts = new ArrayList<>();

    @Option(names = {"-p", "--prompt"}, defaultValue = "128", description = "Prompt tokens (0 skips pp; default ${DEFAULT-VALUE}).")
    int promptTokens;

    @Option(names = {"-n", "--gen"}, defaultValue = "64", description = "Generated tokens (0 skips tg; default ${DEFAULT-VALUE}).")
    int genTokens;

    @Option(names = {"-d", "--depth"}, defaultValue = "0", description = "Tokens already in each sequence's context when"
            + " tg is timed, as llama-bench's -d (their prefill not counted; default ${DEFAULT-VALUE}).")
    int depth;

    @Option(names = {"-b", "--batch"}, split = ",", defaultValue = "1", description = "Concurrent sequences, comma separated (default ${DEFAULT-VALUE}).")
    int[] batches;

    @Option(names = {"-r", "--repetitions"}, defaultValue = "5", description = "Repetitions per test (default ${DEFAULT-VALUE}).")
    int repetitions;

    @Mixin
    ThreadsOption threads;

    @Option(names = "--ubatch", defaultValue = "256", description = "Most tokens per forward pass (default ${DEFAULT-VALUE}).")
    int ubatch;

    @Mixin
    KvOption kv;

    @Option(names = "--json", description = "Print a JSON list of results.")
    boolean json;

    record Result(String test, int batch, double tokensPerSecond, double min, double max, int repetitions) {}

    @Mixin
    RepackCacheOption repackCache = new RepackCacheOption();

    @Override
    public Integer call() throws Exception {
        if (!targets.isEmpty()) {
            return benchTargets();
        }
        if (model == null) {
            throw new IllegalArgumentException("give a MODEL (file, store or catalogue name), or --target URL to"
                    + " bench endpoints");
        }
        if (repetitions < 1 || promptTokens < 0 || genTokens < 0 || depth < 0 || batches.length == 0) {
            throw new IllegalArgumentException("-r must be >= 1, -p, -n and -d >= 0, -b non-empty");
        }
        if (depth > 0 && genTokens == 1) {
            throw new IllegalArgumentException("-d times the tokens after the first: give -n 2 or more");
        }
        var resolved = ModelArgument.resolve(model);
        Path file = resolved.path();
        int nThreads = threads.threads();
        int maxBatch = Arrays.stream(batches).max().orElse(1);
        int ctx = Math.max(promptTokens, depth) + genTokens + 8;
        List<Result> results = new ArrayList<>();
        long fileBytes = Files.size(file);
        LocalModelRunner runner = LocalModelRunner.load(file, nThreads, Math.max(ubatch, maxBatch), ctx, maxBatch,
                kv.precision(), 0, repackCache.folder(),
                deviceOptions.choice());
        try {
            runner.awaitRepackCheck();  // its reads of the whole entry must not fall inside the timings
        } catch (InterruptedException e) {
            runner.close();
            Thread.currentThread().interrupt();
            throw e;
        }
        // the roofline of the memory the weights are read from: the device's (our copy shader), else the host's; a
        // split reads its CPU layers' share of the weights from host memory and the rest from the device's
        double bandwidth;
        double hostBandwidth = 0;
        double ceiling;
        if (runner.device() != null) {
            try {
                bandwidth = runner.device().copyBandwidth(256L << 20);
            } catch (dev.hearth.device.DeviceUnavailableException e) {
                runner.close();
                throw new IllegalStateException("measuring the device's bandwidth: " + e.getMessage(), e);
            }
            double cpuShare = (double) runner.firstDeviceLayer() / runner.numLayers();
            if (cpuShare > 0) {
                hostBandwidth = MemoryBandwidth.measure(nThreads, 512);
            }
            ceiling = 1 / (fileBytes * (1 - cpuShare) / bandwidth
                    + (cpuShare > 0 ? fileBytes * cpuShare / hostBandwidth : 0));
        } else {
            bandwidth = MemoryBandwidth.measure(nThreads, 512);
            ceiling = bandwidth / fileBytes;
        }
        try (Engine engine = new Engine(runner, new EngineOptions("bench", 1024))) {
            SplittableRandom random = new SplittableRandom(42);
            int vocab = vocabOf(engine);
            if (!json) {
                System.out.printf("model: %s (%.1f MiB), threads: %d, %s memory bandwidth: %.1f GB/s%s, decode ceiling:"
                        + " %.1f tokens/s%n", resolved.manifest().name(), fileBytes / 1048576.0, nThreads,
                        runner.device() != null ? "device (copy shader)" : "host", bandwidth / 1e9,
                        hostBandwidth > 0 ? String.format(java.util.Locale.ROOT, " (host %.1f GB/s for the %d CPU"
                                + " layers)", hostBandwidth / 1e9, runner.firstDeviceLayer()) : "", ceiling);
                System.out.println("matmul kernels: " + LocalModelRunner.matmulKernels());
                System.out.println("device: " + engine.placement());
                System.out.printf("%-8s %6s %14s %22s%n", "test", "batch", "tokens/s", "min .. max");
            }
            for (int b : batches) {
                if (promptTokens > 0) {
                    results.add(print(measure(engine, random, vocab, "pp" + promptTokens, b, promptTokens, 1)));
                }
                if (genTokens > 0) {
                    String test = "tg" + genTokens + (depth > 0 ? "@d" + depth : "");
                    results.add(print(measure(engine, random, vocab, test, b, Math.max(1, depth), genTokens)));
                }
            }
        }
        if (json) {
            List<Map<String, Object>> out = new ArrayList<>();
            for (Result r : results) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("test", r.test());
                m.put("batch", r.batch());
                m.put("tokens_per_second", round(r.tokensPerSecond()));
                m.put("kernels", LocalModelRunner.nativeKernels() ? "native-int8" : "java-vector");
                m.put("min", round(r.min()));
                m.put("max", round(r.max()));
                m.put("repetitions", r.repetitions());
                m.put("threads", nThreads);
                m.put("bandwidth_gb_per_second", round(bandwidth / 1e9));
                m.put("device", runner.placement());
                m.put("host_bandwidth_gb_per_second", round(hostBandwidth / 1e9));
                m.put("decode_ceiling_tokens_per_second", round(ceiling));
                out.add(m);
            }
            System.out.println(new ObjectMapper().writeValueAsString(out));
        }
        return 0;
    }

    private int benchTargets() {
        if (model != null) {
            throw new IllegalArgumentException("give either a MODEL path or --target URLs, not both");
        }
        String key = apiKeyEnv == null ? null : System.getenv(apiKeyEnv);
        List<TargetBench.Target> list = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            double in = 0;
            double out = 0;
            if (i < prices.size()) {
                String[] p = prices.get(i).split("/");
                if (p.length != 2) {
                    throw new IllegalArgumentException("--price " + prices.get(i) + ": expected IN/OUT, e.g. 0.15/0.60");
                }
                in = Double.parseDouble(p[0]);
                out = Double.parseDouble(p[1]);
            }
            list.add(TargetBench.Target.parse(targets.get(i), targetModel, key, in, out));
        }
        List<String> prompts = promptTexts.isEmpty() ? List.of("Write a haiku about a fireplace.",
                "Explain what a KV cache is in two sentences.", "List five prime numbers.") : promptTexts;
        List<TargetBench.Result> results = TargetBench.run(list, prompts, genTokens, repetitions);
        if (json) {
            try {
                System.out.println(new ObjectMapper().writeValueAsString(results));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        } else {
            TargetBench.print(results, System.out);
        }
        return results.stream().allMatch(r -> r.errors() < r.requests()) ? 0 : 1;
    }

    private Result print(Result r) {
        if (!json) {
            System.out.printf("%-8s %6d %14.2f %10.2f .. %-10.2f%n", r.test(), r.batch(), r.tokensPerSecond(), r.min(), r.max());
        }
        return r;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static int vocabOf(Engine engine) {
        return engine.vocabularySize();
    }

    /** One test: {@code batch} sequences of {@code prompt} random tokens each generating {@code gen}; one warm-up. */
    private Result measure(Engine engine, SplittableRandom random, int vocab, String test, int batch, int prompt, int gen)
            throws InterruptedException {
        double[] rates = new double[repetitions];
        for (int rep = -1; rep < repetitions; rep++) {
            List<GenerationHandle> handles = new ArrayList<>();
            long start = System.nanoTime();
            for (int s = 0; s < batch; s++) {
                int[] ids = random.ints(prompt, 0, vocab).toArray();
                handles.add(engine.submit(GenerationRequest.greedyIds(ids, gen, java.util.Set.of())));
            }
            long firstTokens = 0;
            long end = 0;
            for (GenerationHandle h : handles) {
                GenerationEvent.Done done = h.awaitDone();
                if (done.error() != null) {
                    throw new IllegalStateException(done.error());
                }
                firstTokens = Math.max(firstTokens, done.timeToFirstTokenNanos());
                end = Math.max(end, System.nanoTime());
            }
            double seconds;
            double tokens;
            if (test.startsWith("pp")) {
                seconds = firstTokens / 1e9;
                tokens = (double) batch * prompt;
            } else if (depth > 0) {  // from the last first token on: the decode at depth, not the depth's prefill
                seconds = (end - start - firstTokens) / 1e9;
                tokens = (double) batch * (gen - 1);
            } else {
                seconds = (end - start) / 1e9;
                tokens = (double) batch * gen;
            }
            if (rep >= 0) {
                rates[rep] = tokens / seconds;
            }
        }
        double[] sorted = rates.clone();
        Arrays.sort(sorted);
        double median = sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
        return new Result(test, batch, median, sorted[0], sorted[sorted.length - 1], repetitions);
    }
}
