package dev.hearth.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.kv.KvPrecision;
import dev.hearth.testing.Fixtures;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/** The engine over a real fixture model: reference greedy ids, and the same output alone or among 15 others. */
class LocalEngineTest {
    static int[] ints(JsonNode n) {
        return StreamSupport.stream(n.spliterator(), false).mapToInt(JsonNode::asInt).toArray();
    }

    static List<Integer> generate(Engine engine, int[] prompt, int n) throws InterruptedException {
        GenerationHandle h = engine.submit(GenerationRequest.greedyIds(prompt, n, Set.of()));
        List<Integer> out = new ArrayList<>();
        GenerationEvent e;
        while ((e = h.take()) instanceof GenerationEvent.Token t) {
            out.add(t.tokenId());
        }
        assertThat(((GenerationEvent.Done) e).reason()).isEqualTo(FinishReason.LENGTH);
        return out;
    }

    @Test
    void greedyIdsMatchLlamaCppAndBatchingChangesNothing() throws Exception {
        // mixtral-fx-F32: float32 weights, so llama.cpp's greedy path is ours until its first near-tie (gap <= 1e-2)
        JsonNode ref = new ObjectMapper().readTree(Fixtures.reference("logits_mixtral-fx-F32.json").toFile());
        try (Engine engine = new Engine(LocalModelRunner.load(Fixtures.model("mixtral-fx-F32.gguf"), 2, 64, 512, 16,
                KvPrecision.F32), EngineOptions.defaults("mixtral-fx"))) {
            List<int[]> prompts = new ArrayList<>();
            for (JsonNode p : ref.get("prompts")) {
                int[] prompt = ints(p.get("prompt_ids"));
                int[] expected = ints(p.get("greedy_ids"));
                List<Integer> got = generate(engine, prompt, 16);
                int agree = 0;
                while (agree < 16 && got.get(agree) == expected[agree]) {
                    agree++;
                }
                int firstTie = 0;
                for (JsonNode g : p.get("greedy")) {
                    JsonNode top = g.get("top");
                    if (top.get(0).get(1).floatValue() - top.get(1).get(1).floatValue() <= 1e-2) {
                        break;
                    }
                    firstTie++;
                }
                assertThat(agree).as(p.get("name").asText()).isGreaterThanOrEqualTo(Math.min(16, firstTie));
                prompts.add(prompt);
            }
            // 16 concurrent sequences (prompts reused with different lengths) give what each gives alone
            List<int[]> many = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                int[] base = prompts.get(i % prompts.size());
                many.add(java.util.Arrays.copyOf(base, Math.max(2, base.length - i)));
            }
            List<List<Integer>> alone = new ArrayList<>();
            for (int[] p : many) {
                alone.add(generate(engine, p, 12));
            }
            List<GenerationHandle> handles = new ArrayList<>();
            for (int[] p : many) {
                handles.add(engine.submit(GenerationRequest.greedyIds(p, 12, Set.of())));
            }
            for (int i = 0; i < many.size(); i++) {
                List<Integer> got = new ArrayList<>();
                GenerationEvent e;
                while ((e = handles.get(i).take()) instanceof GenerationEvent.Token t) {
                    got.add(t.tokenId());
                }
                assertThat(got).as("sequence " + i).isEqualTo(alone.get(i));
            }
        }
    }
}
