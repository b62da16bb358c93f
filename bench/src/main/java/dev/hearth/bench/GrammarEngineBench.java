package dev.hearth.bench;

import dev.hearth.engine.Engine;
import dev.hearth.engine.EngineOptions;
import dev.hearth.engine.GenerationEvent;
import dev.hearth.engine.GenerationHandle;
import dev.hearth.engine.GenerationRequest;
import dev.hearth.engine.LocalModelRunner;
import dev.hearth.gguf.GgufFile;
import dev.hearth.grammar.CompiledGrammar;
import dev.hearth.grammar.GrammarMatcher;
import dev.hearth.grammar.JsonSchemaGrammar;
import dev.hearth.grammar.TokenVocabulary;
import dev.hearth.kv.KvPrecision;
import dev.hearth.sampling.ChainSampler;
import dev.hearth.sampling.GrammarSampler;
import dev.hearth.sampling.SamplingParams;
import dev.hearth.sampling.TokenSampler;
import dev.hearth.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Decode time per token through the engine (one sequence at a time), free vs constrained by the nested schema of
 * {@link GrammarBench}, alternating the two so that machine load drifts affect both alike. A constrained run stops
 * at the end of the JSON document or at maxTokens; a free run then generates as many tokens. The first constrained run (cold grammar
 * caches) is reported apart.
 */
final class GrammarEngineBench {
    private GrammarEngineBench() {}

    static void run(Path model, int generations, int threads, int maxTokens) throws Exception {
        Tokenizer tokenizer;
        try (GgufFile f = GgufFile.open(model)) {
            tokenizer = Tokenizer.fromGguf(f.metadata());
        }
        TokenVocabulary vocabulary = TokenVocabulary.of(tokenizer);
        CompiledGrammar grammar = new CompiledGrammar(JsonSchemaGrammar.compile(GrammarBench.nestedSchema()), vocabulary);
        Set<Integer> eog = Arrays.stream(tokenizer.vocabulary().endOfGenerationIds()).boxed().collect(Collectors.toSet());
        int[] prompt = tokenizer.encode("Describe the inventory as JSON.");
        List<Double> free = new ArrayList<>();
        List<Double> constrained = new ArrayList<>();
        double cold = 0;
        try (Engine engine = new Engine(LocalModelRunner.load(model, threads, 64, 1024, 1, KvPrecision.F32),
                EngineOptions.defaults("bench"))) {
            int vocab = engine.vocabularySize();
            for (int g = 0; g <= generations; g++) {
                SamplingParams params = new SamplingParams(0.7f, 40, 0.95f, 0.05f, 1f, 0f, 0f, 0, Map.of(), 7L + g);
                double[] c = decode(engine, prompt, maxTokens, eog,
                        () -> new GrammarSampler(new ChainSampler(params, vocab, false, 0), new GrammarMatcher(grammar)));
                double[] f = decode(engine, prompt, (int) c[1], Set.of(), () -> new ChainSampler(params, vocab, false, 0));
                System.out.printf("run %d: constrained %.3f ms/token (%d tokens), free %.3f ms/token%n", g, c[0],
                        (int) c[1], f[0]);
                if (g == 0) {
                    cold = c[0];
                } else {
                    constrained.add(c[0]);
                    free.add(f[0]);
                }
            }
        }
        double freeMedian = median(free);
        double constrainedMedian = median(constrained);
        System.out.printf("%s: free %.3f ms/token, constrained %.3f ms/token (median of %d runs): %+.1f%%; "
                + "first constrained run (cold grammar caches) %.3f ms/token; %d grammar states%n", model.getFileName(),
                freeMedian, constrainedMedian, free.size(), (constrainedMedian / freeMedian - 1) * 100, cold,
                grammar.stateCount());
    }

    /** Returns {decode ms per token after the first, tokens generated}. */
    static double[] decode(Engine engine, int[] prompt, int maxTokens, Set<Integer> stop, Supplier<TokenSampler> sampler)
            throws InterruptedException {
        GenerationHandle h = engine.submit(new GenerationRequest(prompt, Math.max(2, maxTokens), stop, List.of(),
                sampler, () -> id -> ""));
        while (true) {
            GenerationEvent e = h.take();
            if (e instanceof GenerationEvent.Done d) {
                if (d.error() != null) {
                    throw new IllegalStateException(d.error());
                }
                double decodeMs = (d.totalNanos() - d.timeToFirstTokenNanos()) / 1e6;
                return new double[] {decodeMs / Math.max(1, d.generatedTokens() - 1), d.generatedTokens()};
            }
        }
    }

    static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted.length == 0 ? Double.NaN : sorted[sorted.length / 2];
    }
}
