package dev.hearth.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.server.route.FakeBackends;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.output.FinishReason;
import org.junit.jupiter.api.Test;

/** LangChain4j's OpenAI chat model against the server over the fake model. */
class LangChain4jTest {

    @Test
    void chatThroughLangChain4j() {
        try (TestServer server = new TestServer(FakeBackends.create())) {
            OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(server.base() + "/v1").apiKey("unused")
                    .modelName(FakeBackends.MODEL).temperature(0.0).maxRetries(0).build();
            assertThat(model.chat("Bonjour")).isEqualTo("You said: Bonjour");
            ChatResponse response = model.chat(SystemMessage.from("Terse."), UserMessage.from("two"));
            assertThat(response.aiMessage().text()).isEqualTo("You said: two");
            assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
            assertThat(response.tokenUsage().outputTokenCount()).isEqualTo("You said: two".length() + 1);
            assertThat(response.tokenUsage().inputTokenCount())
                    .isEqualTo("system: Terse.\nuser: two\nassistant: ".length());
        }
    }
}
