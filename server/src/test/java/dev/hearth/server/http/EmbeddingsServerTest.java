package dev.hearth.server.http;

import dev.hearth.server.http.api.Json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import dev.hearth.gguf.GgufFile;
import dev.hearth.kv.KvPrecision;
import dev.hearth.model.Model;
import dev.hearth.model.ModelOptions;
import dev.hearth.server.local.LoadOptions;
import dev.hearth.server.local.LocalBackend;
import dev.hearth.server.local.ModelLoader;
import dev.hearth.testing.Fixtures;
import dev.hearth.tokenizer.Tokenizer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code /v1/embeddings} and {@code /api/embed} over a real fixture model (qwen2-fx), checked against the model's
 * embedding computed directly: the text tokenized as the server does, then {@link Model#embed}.
 */
class EmbeddingsServerTest {
    static final String A = "The sky is blue because air scatters short wavelengths.";
    static final String B = "Bonjour, le monde !";
    static final Path MODEL = Fixtures.model("qwen2-fx-Q8_0.gguf");
    static TestServer server;
    static OpenAIClient client;
    static float[] directA;
    static float[] directB;
    static int tokensA;

    @BeforeAll
    static void start() throws Exception {
        Tokenizer tokenizer;
        try (GgufFile file = GgufFile.open(MODEL)) {
            tokenizer = Tokenizer.fromGguf(file.metadata());
        }
        try (Model model = Model.load(MODEL, new ModelOptions(2, 64))) {
            int[] a = tokenizer.encode(A, true, false);
            tokensA = a.length;
            directA = model.embed(a);
            directB = model.embed(tokenizer.encode(B, true, false));
        }
        LocalBackend backend = new LocalBackend();
        backend.add(ModelLoader.load(MODEL, "qwen2-fx", new LoadOptions(2, 512, 2, 16, 16, KvPrecision.F32)));
        server = new TestServer(backend);
        client = OpenAIOkHttpClient.builder().baseUrl(server.base() + "/v1").apiKey("x").maxRetries(0).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    static float[] floats(List<Float> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    static void assertClose(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat(Math.abs(actual[i] - expected[i])).as("value %d", i).isLessThan(1e-5f);
        }
    }

    @Test
    void sdkEmbeddingEqualsTheDirectComputation() {
        // the SDK asks for base64 and decodes it
        CreateEmbeddingResponse r = client.embeddings().create(EmbeddingCreateParams.builder().model("qwen2-fx")
                .input(A).build());
        assertClose(floats(r.data().getFirst().embedding()), directA);
        assertThat(r.usage().promptTokens()).isEqualTo(tokensA);
        assertThat(r.model()).isEqualTo("qwen2-fx");
    }

    @Test
    void batchEqualsOneByOneAndTextsDiffer() {
        CreateEmbeddingResponse r = client.embeddings().create(EmbeddingCreateParams.builder().model("qwen2-fx")
                .inputOfArrayOfStrings(List.of(A, B, A)).encodingFormat(EmbeddingCreateParams.EncodingFormat.FLOAT)
                .build());
        assertThat(r.data()).hasSize(3);
        assertThat(r.data().stream().map(e -> e.index()).toList()).containsExactly(0L, 1L, 2L);
        assertClose(floats(r.data().get(0).embedding()), directA);
        assertClose(floats(r.data().get(1).embedding()), directB);
        assertClose(floats(r.data().get(2).embedding()), directA);
        assertThat(Arrays.equals(floats(r.data().get(0).embedding()), floats(r.data().get(1).embedding()))).isFalse();
    }

    @Test
    void tokenIdsEqualTheirText() throws Exception {
        Tokenizer tokenizer;
        try (GgufFile file = GgufFile.open(MODEL)) {
            tokenizer = Tokenizer.fromGguf(file.metadata());
        }
        List<Long> ids = Arrays.stream(tokenizer.encode(A, true, false)).mapToObj(i -> (long) i).toList();
        CreateEmbeddingResponse r = client.embeddings().create(EmbeddingCreateParams.builder().model("qwen2-fx")
                .inputOfArrayOfTokens(ids).build());
        assertClose(floats(r.data().getFirst().embedding()), directA);
    }

    @Test
    void ollamaEmbed() throws Exception {
        HttpResponse<String> r = server.post("/api/embed", "{\"model\": \"qwen2-fx\", \"input\": [\"" + A + "\", \""
                + B + "\"]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = Json.MAPPER.readTree(r.body());
        float[] a = Json.MAPPER.treeToValue(body.path("embeddings").path(0), float[].class);
        float[] b = Json.MAPPER.treeToValue(body.path("embeddings").path(1), float[].class);
        assertClose(a, directA);
        assertClose(b, directB);
        assertThat(body.path("prompt_eval_count").asInt()).isGreaterThan(tokensA);
    }

    @Test
    void badInputsAre400() throws Exception {
        for (String input : List.of("[]", "[1.5]", "[\"a\", 3]", "{}", "[[]]")) {
            HttpResponse<String> r = server.post("/v1/embeddings", "{\"model\": \"qwen2-fx\", \"input\": " + input
                    + "}");
            assertThat(r.statusCode()).as(input).isEqualTo(400);
        }
        HttpResponse<String> r = server.post("/v1/embeddings", "{\"model\": \"qwen2-fx\", \"input\": [99999999]}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(server.post("/v1/embeddings", "{\"model\": \"qwen2-fx\", \"input\": \"x\", \"encoding_format\":"
                + " \"hex\"}").statusCode()).isEqualTo(400);
    }
}
