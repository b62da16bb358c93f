package dev.hearth.bench;

import dev.hearth.gguf.GgufFile;
import dev.hearth.grammar.CompiledGrammar;
import dev.hearth.grammar.Grammar;
import dev.hearth.grammar.GrammarMatcher;
import dev.hearth.grammar.JsonSchemaGrammar;
import dev.hearth.grammar.TokenVocabulary;
import dev.hearth.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Per-token cost of the grammar mask on the Qwen 2.5 vocabulary (151,665 tokens of qwen2-fx) for a nested JSON
 * schema: walks that pick a random allowed token each step, timing {@code applyMask} on a full logits row. Reports
 * the median and p99 for the first generation of a grammar (cold caches), for later ones (shared caches, states
 * first met still computed), and for the same generations replayed (every state cached); and the vocabulary build
 * time.
 * Run: {@code java --add-modules jdk.incubator.vector -cp "bench/target/hearth-bench.jar:bench/target/lib/*"
 * dev.hearth.bench.GrammarBench ../shared/fixtures/models/qwen2-fx-Q8_0.gguf [generations]}; with
 * {@code engine MODEL [generations] [threads] [maxTokens]} it runs {@link GrammarEngineBench} (constrained vs free decoding).
 */
public final class GrammarBench {
    private GrammarBench() {}

    static Map<String, Object> object(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    /** A nested schema: object with strings, integers, an enum, an array of objects holding an array of numbers. */
    public static Map<String, Object> nestedSchema() {
        Map<String, Object> item = object("type", "object", "properties", object(
                "id", object("type", "integer", "minimum", 0, "maximum", 9999),
                "label", object("type", "string", "maxLength", 16),
                "scores", object("type", "array", "items", object("type", "number"), "maxItems", 4),
                "kind", object("enum", List.of("alpha", "beta", "gamma"))),
                "required", List.of("id", "label", "kind"), "additionalProperties", false);
        return object("type", "object", "properties", object(
                "name", object("type", "string", "maxLength", 24),
                "version", object("type", "integer"),
                "owner", object("type", "object", "properties", object(
                        "email", object("type", "string", "pattern", "^[a-z]{1,8}@[a-z]{1,8}\\.com$"),
                        "active", object("type", "boolean")), "required", List.of("email")),
                "items", object("type", "array", "items", item, "minItems", 1, "maxItems", 3)),
                "required", List.of("name", "items"), "additionalProperties", false);
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("engine")) {
            GrammarEngineBench.run(Path.of(args[1]), args.length > 2 ? Integer.parseInt(args[2]) : 10,
                    args.length > 3 ? Integer.parseInt(args[3]) : 2, args.length > 4 ? Integer.parseInt(args[4]) : 300);
            return;
        }
        Path model = Path.of(args.length > 0 ? args[0] : "../shared/fixtures/models/qwen2-fx-Q8_0.gguf");
        int generations = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        Tokenizer tokenizer;
        try (GgufFile f = GgufFile.open(model)) {
            tokenizer = Tokenizer.fromGguf(f.metadata());
        }
        long t0 = System.nanoTime();
        TokenVocabulary vocabulary = TokenVocabulary.of(tokenizer);
        long buildNanos = System.nanoTime() - t0;
        t0 = System.nanoTime();
        Grammar grammar = JsonSchemaGrammar.compile(nestedSchema());
        long compileNanos = System.nanoTime() - t0;
        System.out.printf("vocabulary %d tokens, %d trie nodes, built in %.0f ms; schema compiled in %.1f ms (%d rules)%n",
                vocabulary.size(), vocabulary.nodeCount(), buildNanos / 1e6, compileNanos / 1e6, grammar.ruleCount());
        float[] logits = new float[vocabulary.size()];
        long[] words = new long[(vocabulary.size() + 63) / 64];
        List<Long> cold = new ArrayList<>();
        List<Long> warm = new ArrayList<>();
        List<Long> cached = new ArrayList<>();
        CompiledGrammar compiled = new CompiledGrammar(grammar, vocabulary);
        int finished = 0;
        for (int g = 0; g < generations; g++) {
            finished += walk(compiled, g, g == 0 ? cold : warm, logits, words) ? 1 : 0;
        }
        for (int g = 0; g < generations; g++) {
            walk(compiled, g, cached, logits, words);
        }
        report("first generation (cold caches)", cold);
        report("later generations (shared caches, new states included)", warm);
        report("the same generations again (every state cached)", cached);
        System.out.printf("%d of %d generations finished; %d states%n", finished, generations, compiled.stateCount());
    }

    /** One generation picking uniformly among allowed tokens (seeded); times each applyMask. */
    static boolean walk(CompiledGrammar compiled, long seed, List<Long> times, float[] logits, long[] words) {
        Random random = new Random(seed);
        GrammarMatcher m = new GrammarMatcher(compiled);
        for (int step = 0; step < 300; step++) {
            Arrays.fill(logits, 1f);
            long start = System.nanoTime();
            m.applyMask(logits, 0, logits.length);
            times.add(System.nanoTime() - start);
            if (m.canEnd()) {
                return true;
            }
            m.fillMask(words);
            int count = 0;
            for (long w : words) {
                count += Long.bitCount(w);
            }
            int target = random.nextInt(count);
            int token = -1;
            for (int w = 0; w < words.length && token < 0; w++) {
                int c = Long.bitCount(words[w]);
                if (target < c) {
                    long word = words[w];
                    for (int k = 0; k < target; k++) {
                        word &= word - 1;
                    }
                    token = w * 64 + Long.numberOfTrailingZeros(word);
                } else {
                    target -= c;
                }
            }
            if (!m.accept(token)) {
                throw new IllegalStateException("token " + token + " was allowed but not accepted");
            }
        }
        return false;
    }

    static void report(String what, List<Long> nanos) {
        long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        if (sorted.length == 0) {
            return;
        }
        double mean = Arrays.stream(sorted).average().orElse(0);
        System.out.printf("%s: %d tokens, median %.1f us, p99 %.1f us, mean %.1f us, max %.1f ms%n", what, sorted.length,
                sorted[sorted.length / 2] / 1e3, sorted[(int) (sorted.length * 0.99)] / 1e3, mean / 1e3,
                sorted[sorted.length - 1] / 1e6);
    }
}
