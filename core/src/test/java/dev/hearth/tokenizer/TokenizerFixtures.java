package dev.hearth.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.gguf.GgufFile;
import dev.hearth.testing.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The fixture models' tokenizers (loaded once) and their llama.cpp reference cases. */
final class TokenizerFixtures {
    private TokenizerFixtures() {}

    /** Reference name to the model file it was computed with. */
    static final Map<String, String> MODELS = Map.of(
            "llama3-fx", "llama3-fx-F16.gguf",
            "qwen2-fx", "qwen2-fx-Q8_0.gguf",
            "qwen2-kq-fx", "qwen2-kq-fx-Q4_K_M.gguf",
            "qwen3-fx", "qwen3-fx-Q8_0.gguf",
            "mixtral-fx", "mixtral-fx-F32.gguf");

    private static final Map<String, Tokenizer> TOKENIZERS = new ConcurrentHashMap<>();
    private static final ObjectMapper JSON = new ObjectMapper();

    static Tokenizer tokenizer(String model) {
        return TOKENIZERS.computeIfAbsent(model, m -> {
            try (GgufFile f = GgufFile.open(Fixtures.model(MODELS.get(m)))) {
                return Tokenizer.fromGguf(f.metadata());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    static JsonNode reference(String model) {
        try {
            return JSON.readTree(Fixtures.reference("tokenize_" + model + ".json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One reference case. */
    record Case(String model, String name, JsonNode node) {
        String text() {
            return node.get("text").asText();
        }

        boolean has(String field) {
            return node.has(field);
        }

        int[] ids(String field) {
            JsonNode a = node.get(field);
            int[] ids = new int[a.size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = a.get(i).asInt();
            }
            return ids;
        }

        String string(String field) {
            return node.get(field).asText();
        }

        @Override
        public String toString() {
            return model + "/" + name;
        }
    }

    static List<Case> cases() {
        List<Case> all = new ArrayList<>();
        for (String model : List.of("llama3-fx", "qwen2-fx", "qwen2-kq-fx", "qwen3-fx", "mixtral-fx")) {
            for (JsonNode c : reference(model).get("cases")) {
                all.add(new Case(model, c.get("name").asText(), c));
            }
        }
        return all;
    }
}
