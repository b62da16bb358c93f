package dev.hearth.grammar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.engine.Engine;
import dev.hearth.engine.EngineOptions;
import dev.hearth.engine.FinishReason;
import dev.hearth.engine.GenerationEvent;
import dev.hearth.engine.GenerationHandle;
import dev.hearth.engine.GenerationRequest;
import dev.hearth.engine.LocalModelRunner;
import dev.hearth.kv.KvPrecision;
import dev.hearth.sampling.ChainSampler;
import dev.hearth.sampling.GrammarSampler;
import dev.hearth.sampling.SamplingParams;
import dev.hearth.testing.Fixtures;
import dev.hearth.tokenizer.Tokenizer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The engine with grammar-constrained sampling on random-weight fixture models: whatever the weights, every output
 * that finished (EOG sampled, so the grammar was complete) must parse and validate; outputs cut by max tokens must
 * be valid prefixes (the matcher accepted every token). Hundreds of generations over schemas, temperatures and seeds.
 */
class ConstrainedGenerationTest {
    static final float[] TEMPERATURES = {0f, 0.7f, 1.5f};
    static final int SEEDS = 2;
    static final int MAX_TOKENS = 160;

    record Outcome(FinishReason reason, String text) {}

    /** Runs every (grammar, temperature, seed) on one model, all submitted at once so the engine batches them. */
    static List<Outcome> generate(String modelFile, List<Grammar> grammars) throws Exception {
        Tokenizer tokenizer = GrammarTestSupport.tokenizer(modelFile);
        TokenVocabulary vocabulary = GrammarTestSupport.vocabulary(modelFile);
        Set<Integer> eog = Arrays.stream(tokenizer.vocabulary().endOfGenerationIds()).boxed()
                .collect(Collectors.toSet());
        int[] prompt = tokenizer.encode("Answer in JSON: {\"name\": \"x\"}");
        List<Outcome> outcomes = new ArrayList<>();
        try (Engine engine = new Engine(LocalModelRunner.load(Fixtures.model(modelFile), 2, 256, 512, 16,
                KvPrecision.F32), EngineOptions.defaults(modelFile))) {
            List<GenerationHandle> handles = new ArrayList<>();
            for (Grammar grammar : grammars) {
                CompiledGrammar compiled = new CompiledGrammar(grammar, vocabulary);
                for (float temperature : TEMPERATURES) {
                    for (int seed = 0; seed < SEEDS; seed++) {
                        SamplingParams params = new SamplingParams(temperature, 40, 0.95f, 0.05f, 1f, 0f, 0f, 0,
                                Map.of(), 1000L + seed);
                        handles.add(engine.submit(new GenerationRequest(prompt, MAX_TOKENS, eog, List.of(),
                                () -> new GrammarSampler(new ChainSampler(params, engine.vocabularySize(), false, 0),
                                        new GrammarMatcher(compiled)), () -> id -> "")));
                    }
                }
            }
            for (GenerationHandle h : handles) {
                outcomes.add(collect(h, vocabulary));
            }
        }
        return outcomes;
    }

    static Outcome collect(GenerationHandle h, TokenVocabulary vocabulary) throws InterruptedException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        while (true) {
            GenerationEvent e = h.take();
            if (e instanceof GenerationEvent.Token t && t.tokenId() >= 0 && !vocabulary.isEndOfGeneration(t.tokenId())) {
                bytes.writeBytes(vocabulary.piece(t.tokenId()));
            } else if (e instanceof GenerationEvent.Done d) {
                assertThat(d.error()).as("engine error").isNull();
                return new Outcome(d.reason(), bytes.toString(StandardCharsets.UTF_8));
            }
        }
    }

    /** Asserts every finished outcome passes {@code valid}; returns how many finished. */
    static int check(List<Outcome> outcomes, int from, int count, Predicate<String> valid, String what) {
        int finished = 0;
        for (int i = from; i < from + count; i++) {
            Outcome o = outcomes.get(i);
            assertThat(o.reason()).isIn(FinishReason.STOP, FinishReason.LENGTH);
            if (o.reason() == FinishReason.STOP) {
                finished++;
                assertThat(valid.test(o.text())).as("%s: finished output %s", what, o.text()).isTrue();
            }
        }
        return finished;
    }

    @Test
    void everyFinishedOutputValidatesOnQwenAndLlama() throws Exception {
        List<Grammar> grammars = new ArrayList<>();
        for (String schema : SchemaCorpus.SCHEMAS) {
            grammars.add(JsonSchemaGrammar.compile(SchemaCorpus.parse(schema)));
        }
        grammars.add(Grammar.jsonObject());
        String gbnf = "root ::= \"(\" word (\",\" \" \"? word){0,3} \")\"\nword ::= [a-zà-ÿ]{1,6} | [0-9]{1,3}";
        grammars.add(Grammar.compile(gbnf));
        Pattern gbnfRegex = Pattern.compile("\\((?:[a-zà-ÿ]{1,6}|[0-9]{1,3})(?:, ?(?:[a-zà-ÿ]{1,6}|[0-9]{1,3})){0,3}\\)");
        int perGrammar = TEMPERATURES.length * SEEDS;
        int total = 0;
        int finished = 0;
        for (String model : List.of("qwen2-fx-Q8_0.gguf", "llama3-fx-Q4_0.gguf")) {
            List<Outcome> outcomes = generate(model, grammars);
            for (int s = 0; s < SchemaCorpus.SCHEMAS.size(); s++) {
                String schema = SchemaCorpus.SCHEMAS.get(s);
                finished += check(outcomes, s * perGrammar, perGrammar,
                        text -> SchemaCorpus.validate(schema, text).isEmpty(), model + " schema " + s);
            }
            int jsonObject = SchemaCorpus.SCHEMAS.size();
            finished += check(outcomes, jsonObject * perGrammar, perGrammar,
                    text -> SchemaCorpus.validate("{\"type\": \"object\"}", text).isEmpty(), model + " json_object");
            finished += check(outcomes, (jsonObject + 1) * perGrammar, perGrammar,
                    text -> gbnfRegex.matcher(text).matches(), model + " gbnf");
            total += outcomes.size();
        }
        System.out.printf("constrained generations: %d of %d finished, all valid%n", finished, total);
        assertThat(finished).as("most generations finish within %d tokens", MAX_TOKENS).isGreaterThan(total / 2);
    }
}
