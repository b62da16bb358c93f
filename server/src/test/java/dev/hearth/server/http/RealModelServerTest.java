package dev.hearth.server.http;

import dev.hearth.server.http.api.Json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.hearth.engine.GenerationEvent;
import dev.hearth.engine.GenerationHandle;
import dev.hearth.engine.GenerationRequest;
import dev.hearth.engine.TextDecoder;
import dev.hearth.kv.KvPrecision;
import dev.hearth.server.local.LoadOptions;
import dev.hearth.server.local.LoadedModel;
import dev.hearth.server.local.LocalBackend;
import dev.hearth.server.local.ModelLoader;
import dev.hearth.server.backend.PromptMessage;
import dev.hearth.testing.Fixtures;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server over a real fixture model (llama3-fx, random weights, real tokenizer and chat template): the prompt is
 * the model text's tokenization of the conversation ({@code GgufModelTextTest} matches it to llama-server's), and the
 * answer is the engine's greedy continuation of exactly those ids, decoded.
 */
class RealModelServerTest {
    static final String SYSTEM = "You are a concise assistant.";
    static final String USER = "Explain in one sentence why the sky is blue.";
    static final int MAX_TOKENS = 12;
    static LoadedModel model;
    static TestServer server;
    static OpenAIClient client;
    static int[] promptIds;

    @BeforeAll
    static void start() throws Exception {
        model = ModelLoader.load(Fixtures.model("llama3-fx-Q4_0.gguf"), "llama3-fx",
                new LoadOptions(4, 512, 2, 64, 16, KvPrecision.F32));
        LocalBackend backend = new LocalBackend();
        backend.add(model);
        server = new TestServer(backend);
        client = OpenAIOkHttpClient.builder().baseUrl(server.base() + "/v1").apiKey("x").maxRetries(0).build();
        // the template prints today's date, so the ids are built now, the way the server builds them
        promptIds = model.text().encodeChat(List.of(PromptMessage.of("system", SYSTEM),
                PromptMessage.of("user", USER)), List.of());
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    /** The greedy continuation of the reference ids straight from the engine, decoded as the server decodes. */
    static String engineGreedy() throws Exception {
        GenerationHandle handle = model.engine().submit(GenerationRequest.greedyIds(promptIds, MAX_TOKENS,
                model.text().stopTokenIds()));
        TextDecoder decoder = model.text().newDecoder();
        StringBuilder text = new StringBuilder();
        for (GenerationEvent e; !((e = handle.take()) instanceof GenerationEvent.Done); ) {
            GenerationEvent.Token t = (GenerationEvent.Token) e;
            if (t.tokenId() >= 0) {
                text.append(decoder.append(t.tokenId()));
            }
        }
        return text.append(decoder.flush()).toString();
    }

    static ChatCompletionCreateParams params() {
        return ChatCompletionCreateParams.builder().model("llama3-fx").addSystemMessage(SYSTEM).addUserMessage(USER)
                .temperature(0.0).maxCompletionTokens(MAX_TOKENS).build();
    }

    @Test
    void chatIsTheGreedyContinuationOfTheLlamaServerPrompt() throws Exception {
        ChatCompletion c = client.chat().completions().create(params());
        assertThat(c.usage().orElseThrow().promptTokens()).isEqualTo(promptIds.length);
        String content = c.choices().getFirst().message().content().orElseThrow();
        String expected = engineGreedy();
        assertThat(expected).as("a non-empty greedy answer").isNotEmpty();
        assertThat(content).isEqualTo(expected);
        assertThat(c.usage().orElseThrow().completionTokens()).isLessThanOrEqualTo(MAX_TOKENS);
        StringBuilder streamed = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(params())) {
            s.stream().forEach(ch -> ch.choices().forEach(x -> x.delta().content().ifPresent(streamed::append)));
        }
        assertThat(streamed.toString()).isEqualTo(expected);
    }

    @Test
    void fourConcurrentChatsMatchTheSoloAnswer() throws Exception {
        String solo = client.chat().completions().create(params()).choices().getFirst().message().content()
                .orElseThrow();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                answers.add(pool.submit(() -> client.chat().completions().create(params()).choices().getFirst()
                        .message().content().orElseThrow()));
            }
            for (Future<String> answer : answers) {
                assertThat(answer.get()).isEqualTo(solo);
            }
        }
    }

    @Test
    void ollamaChatOnTheRealModel() throws Exception {
        var r = server.post("/api/chat", "{\"model\": \"llama3-fx\", \"stream\": false, \"options\": "
                + "{\"temperature\": 0, \"num_predict\": " + MAX_TOKENS + "}, \"messages\": [{\"role\": \"system\", "
                + "\"content\": \"" + SYSTEM + "\"}, {\"role\": \"user\", \"content\": \"" + USER + "\"}]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = Json.MAPPER.readTree(r.body());
        assertThat(body.get("message").get("content").asText()).isEqualTo(engineGreedy());
        assertThat(body.get("prompt_eval_count").asInt()).isEqualTo(promptIds.length);
    }

}
