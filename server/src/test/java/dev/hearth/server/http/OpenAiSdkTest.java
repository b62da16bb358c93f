package dev.hearth.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import dev.hearth.server.route.FakeBackends;
import dev.hearth.server.route.FakeRunner;
import dev.hearth.server.route.FakeText;
import dev.hearth.server.backend.PromptMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** OpenAI's official Java SDK against a server over the fake model. */
class OpenAiSdkTest {
    static TestServer server;
    static OpenAIClient client;

    @BeforeAll
    static void start() {
        server = new TestServer(FakeBackends.create());
        client = OpenAIOkHttpClient.builder().baseUrl(server.base() + "/v1").apiKey("unused").maxRetries(0).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    static int bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    static ChatCompletionCreateParams.Builder params(String userText) {
        return ChatCompletionCreateParams.builder().model(FakeBackends.MODEL).addSystemMessage("Be brief.")
                .addUserMessage(userText);
    }

    static int promptTokens(String userText) {
        return bytes(FakeText.render(List.of(PromptMessage.of("system", "Be brief."),
                PromptMessage.of("user", userText))));
    }

    @Test
    void chatCompletionWithExactUsage() {
        ChatCompletion c = client.chat().completions().create(params("Grüß dich, Hearth").build());
        String expected = "You said: Grüß dich, Hearth";
        assertThat(c.choices()).hasSize(1);
        assertThat(c.choices().getFirst().message().content()).contains(expected);
        assertThat(c.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        assertThat(c.model()).isEqualTo(FakeBackends.MODEL);
        // one token per UTF-8 byte, plus the EOS token that ends the answer
        assertThat(c.usage().orElseThrow().promptTokens()).isEqualTo(promptTokens("Grüß dich, Hearth"));
        assertThat(c.usage().orElseThrow().completionTokens()).isEqualTo(bytes(expected) + 1);
        assertThat(c.usage().orElseThrow().totalTokens())
                .isEqualTo(promptTokens("Grüß dich, Hearth") + bytes(expected) + 1);
    }

    @Test
    void maxTokensEndsWithLengthAndNChoices() {
        ChatCompletion c = client.chat().completions().create(params("abcdef").maxCompletionTokens(4).n(3).build());
        assertThat(c.choices()).hasSize(3);
        for (ChatCompletion.Choice choice : c.choices()) {
            assertThat(choice.message().content()).contains("You ");
            assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.LENGTH);
        }
        assertThat(c.usage().orElseThrow().completionTokens()).isEqualTo(12);
    }

    @Test
    void stopStringIsNotEmitted() {
        ChatCompletion c = client.chat().completions().create(params("one two three").stop("two").build());
        assertThat(c.choices().getFirst().message().content()).contains("You said: one ");
        assertThat(c.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    }

    @Test
    void streamingSendsRoleThenDeltasThenFinishThenUsage() {
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(
                params("stream me").streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
                        .build())) {
            stream.stream().forEach(chunks::add);
        }
        assertThat(chunks.getFirst().choices().getFirst().delta().role())
                .contains(ChatCompletionChunk.Choice.Delta.Role.ASSISTANT);
        StringBuilder text = new StringBuilder();
        chunks.stream().flatMap(ch -> ch.choices().stream()).forEach(ch -> ch.delta().content().ifPresent(text::append));
        assertThat(text.toString()).isEqualTo("You said: stream me");
        ChatCompletionChunk last = chunks.get(chunks.size() - 2);
        assertThat(last.choices().getFirst().finishReason())
                .contains(ChatCompletionChunk.Choice.FinishReason.STOP);
        ChatCompletionChunk usage = chunks.getLast();
        assertThat(usage.choices()).isEmpty();
        assertThat(usage.usage().orElseThrow().promptTokens()).isEqualTo(promptTokens("stream me"));
        assertThat(usage.usage().orElseThrow().completionTokens()).isEqualTo(bytes("You said: stream me") + 1);
    }

    @Test
    void legacyCompletion() {
        Completion c = client.completions().create(CompletionCreateParams.builder().model(FakeBackends.MODEL)
                .prompt("user: raw text\n").maxTokens(100).build());
        assertThat(c.choices().getFirst().text()).isEqualTo(FakeRunner.answer("user: raw text\n"));
        assertThat(c.usage().orElseThrow().promptTokens()).isEqualTo(bytes("user: raw text\n"));
    }

    @Test
    void errorsBecomeSdkExceptions() {
        assertThatThrownBy(() -> client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("no-such-model").addUserMessage("hi").build()))
                .isInstanceOfSatisfying(NotFoundException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(404);
                    assertThat(e.getMessage()).contains("no-such-model");
                });
        assertThatThrownBy(() -> client.chat().completions().create(params("hi").temperature(7.0).build()))
                .isInstanceOfSatisfying(BadRequestException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.getMessage()).contains("temperature");
                });
    }

    @Test
    void listsModels() {
        var models = client.models().list().data();
        assertThat(models).extracting(m -> m.id()).containsExactly(FakeBackends.MODEL);
        assertThat(client.models().retrieve(FakeBackends.MODEL).ownedBy()).isEqualTo("hearth");
    }
}
