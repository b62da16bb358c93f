package dev.hearth.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.engine.GenerationEvent;
import dev.hearth.engine.GenerationHandle;
import dev.hearth.engine.GenerationRequest;
import dev.hearth.sampling.ChainSampler;
import dev.hearth.sampling.SamplingParams;
import dev.hearth.server.local.LoadOptions;
import dev.hearth.server.local.LoadedModel;
import dev.hearth.server.local.ModelLoader;
import dev.hearth.server.backend.PromptMessage;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hearth run MODEL}: an interactive chat through the model's template (no {@code -p}), one chat turn
 * ({@code -p TEXT}), a raw completion ({@code -p TEXT --raw}) or token ids ({@code --ids}), all through the engine:
 * the prompt in batched chunks, then one token per step, with the sampler chain. Prints prompt and generation
 * tokens/s at the end, as llama.cpp does.
 */
@Command(name = "run", description = "Chat with a model, or complete a prompt (text or token ids).")
final class RunCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    DeviceOptions deviceOptions = new DeviceOptions();

    @Parameters(index = "0", paramLabel = "MODEL", description = ModelArgument.DESCRIPTION)
    String model;

    @Option(names = {"-p", "--prompt"}, description = "One chat turn with this text (with --raw: complete the text as is).")
    String prompt;

    @Option(names = "--raw", description = "With -p: no chat template; the text is tokenized as is (BOS as the model "
            + "asks, special-token text parsed), like llama-completion.")
    boolean raw;

    @Option(names = "--system", description = "A system message for chat turns.")
    String system;

    @Option(names = "--ids", split = ",", description = "Prompt token ids, comma separated (instead of text).")
    int[] ids;

    @Option(names = {"-n", "--max-tokens"}, defaultValue = "-1", description = "Most tokens to generate per answer "
            + "(default: until an end token or the context is full; 16 with --ids).")
    int count;

    @Option(names = "--temp", defaultValue = "0.8", description = "Temperature; 0 is greedy (default ${DEFAULT-VALUE}).")
    float temperature;

    @Option(names = "--top-k", defaultValue = "40", description = "Top-k, 0 disables (default ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--top-p", defaultValue = "0.95", description = "Top-p, 1 disables (default ${DEFAULT-VALUE}).")
    float topP;

    @Option(names = "--min-p", defaultValue = "0.05", description = "Min-p, 0 disables (default ${DEFAULT-VALUE}).")
    float minP;

    @Option(names = "--repeat-penalty", defaultValue = "1.0", description = "Repetition penalty, 1 disables (default ${DEFAULT-VALUE}).")
    float repeatPenalty;

    @Option(names = "--repeat-last-n", defaultValue = "64", description = "Tokens the penalties look back on (default ${DEFAULT-VALUE}).")
    int repeatLastN;

    @Option(names = "--seed", description = "Random seed (default: random; printed with --verbose).")
    Long seed;

    @Option(names = "--ignore-eos", description = "Do not stop at end-of-generation tokens.")
    boolean ignoreEos;

    @Mixin
    ThreadsOption threads;

    @Mixin
    BatchOption batch = new BatchOption(256);

    @Mixin
    ContextSizeOption contextSize;

    @Mixin
    KvOption kv;

    @Option(names = "--json", description = "Print one JSON object per answer (ids, text, counts, speeds).")
    boolean json;

    @Option(names = "--verbose", description = "Print the seed and the prompt's token count before answering.")
    boolean verbose;

    @Mixin
    RepackCacheOption repackCache = new RepackCacheOption();

    @Override
    public Integer call() throws Exception {
        if (ids != null && prompt != null) {
            throw new IllegalArgumentException("give either --ids or -p, not both");
        }
        if (raw && prompt == null) {
            throw new IllegalArgumentException("--raw needs -p TEXT");
        }
        if (ids != null && ids.length == 0) {
            throw new IllegalArgumentException("--ids needs at least one token id");
        }
        int maxTokens = count >= 0 ? count : (ids != null ? 16 : Integer.MAX_VALUE);
        if (maxTokens == 0) {
            throw new IllegalArgumentException("-n must be at least 1");
        }
        SamplingParams params = new SamplingParams(temperature, topK, topP, minP, repeatPenalty, 0f, 0f, repeatLastN,
                Map.of(), seed);
        LoadOptions options = new LoadOptions(1, contextSize.contextSize, threads.threads(), batch.batch, 0,
                kv.precision())
                .withRepackCache(repackCache.folder())
                .withDevice(deviceOptions.choice());
        var resolved = ModelArgument.resolve(model);
        try (LoadedModel loaded = ModelLoader.load(resolved.path(), resolved.manifest().name(), options)) {
            if (!options.device().equals(dev.hearth.device.DeviceChoice.DEFAULT)) {
                System.err.println("device: " + loaded.engine().placement());
            }
            if (ids != null) {
                answer(loaded, ids, maxTokens, params, true, System.out);
            } else if (prompt != null) {
                int[] promptIds = raw ? loaded.text().encodeRaw(prompt) : loaded.text().encodeChat(conversation(prompt, List.of()), List.of());
                answer(loaded, promptIds, maxTokens, params, false, System.out);
            } else {
                new InteractiveChat(loaded.info().name(), (user, history, out) -> answer(loaded,
                        loaded.text().encodeChat(conversation(user, history), List.of()), maxTokens, params, false, out))
                        .run();
            }
        }
        return 0;
    }

    List<PromptMessage> conversation(String user, List<PromptMessage> history) {
        List<PromptMessage> messages = new ArrayList<>();
        if (system != null) {
            messages.add(PromptMessage.of("system", system));
        }
        messages.addAll(history);
        messages.add(PromptMessage.of("user", user));
        return messages;
    }

    /** Generates one answer, streaming its text to {@code out} (or one JSON object at the end); returns the text. */
    String answer(LoadedModel loaded, int[] promptIds, int maxTokens, SamplingParams params, boolean printIds,
            PrintStream out) throws InterruptedException {
        int vocab = loaded.engine().vocabularySize();
        ChainSampler[] sampler = new ChainSampler[1];
        Set<Integer> stops = ignoreEos ? Set.of() : loaded.text().stopTokenIds();
        int limit = (int) Math.min(maxTokens, (long) loaded.engine().contextLength() - promptIds.length);
        if (verbose && !json) {
            System.err.printf("prompt: %d tokens%n", promptIds.length);
        }
        GenerationHandle handle = loaded.engine().submit(new GenerationRequest(promptIds, Math.max(1, limit), stops,
                List.of(), () -> sampler[0] = new ChainSampler(params, vocab, false, 0), loaded.text()::newDecoder));
        List<Integer> generated = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        GenerationEvent event;
        while ((event = handle.take()) instanceof GenerationEvent.Token token) {
            if (token.tokenId() >= 0) {
                generated.add(token.tokenId());
            }
            text.append(token.text());
            if (!json && !printIds) {
                out.print(token.text());
                out.flush();
            }
        }
        GenerationEvent.Done done = (GenerationEvent.Done) event;
        if (done.error() != null) {
            throw new IllegalStateException(done.error());
        }
        double promptSeconds = done.timeToFirstTokenNanos() / 1e9;
        double generationSeconds = (done.totalNanos() - done.timeToFirstTokenNanos()) / 1e9;
        double promptRate = promptIds.length / Math.max(promptSeconds, 1e-9);
        // the first token comes with the prompt pass; the rest took one step each
        double generationRate = done.generatedTokens() <= 1 ? 0 : (done.generatedTokens() - 1) / Math.max(generationSeconds, 1e-9);
        if (json) {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("ids", generated);
            result.put("text", text.toString());
            result.put("finish_reason", done.reason().apiName());
            result.put("prompt_tokens", done.promptTokens());
            result.put("generated_tokens", done.generatedTokens());
            result.put("prompt_tokens_per_second", promptRate);
            result.put("generation_tokens_per_second", generationRate);
            if (sampler[0] != null) {
                result.put("seed", sampler[0].seed());
            }
            try {
                out.println(new ObjectMapper().writeValueAsString(result));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        } else {
            if (printIds) {
                out.println(generated);
            } else {
                out.println();
            }
            PrintStream stats = printIds ? out : System.err;
            stats.printf("prompt: %d tokens, %.1f tokens/s; generation: %d tokens, %.1f tokens/s (%s)%s%n",
                    done.promptTokens(), promptRate, done.generatedTokens(), generationRate, done.reason().apiName(),
                    verbose && sampler[0] != null ? "; seed " + sampler[0].seed() : "");
        }
        return text.toString();
    }

    static String joinIds(int[] ids) {
        return Arrays.toString(ids);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
