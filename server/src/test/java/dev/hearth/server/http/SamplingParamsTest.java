package dev.hearth.server.http;

import dev.hearth.server.http.api.Json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.server.route.FakeBackends;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Request sampling parameters reach the sampler: logprobs, logit bias, vocabulary checks. */
class SamplingParamsTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer(FakeBackends.create());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String chat(String extra) {
        return "{\"model\": \"" + FakeBackends.MODEL + "\", \"messages\": [{\"role\": \"user\", \"content\": \"ab\"}]"
                + extra + "}";
    }

    @Test
    void logprobsOfEveryToken() throws Exception {
        HttpResponse<String> r = server.post("/v1/chat/completions",
                chat(", \"logprobs\": true, \"top_logprobs\": 2, \"temperature\": 0"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode content = Json.MAPPER.readTree(r.body()).get("choices").get(0).get("logprobs").get("content");
        // "You said: ab" (12 byte tokens); the EOS that ends it is not part of the content
        assertThat(content.size()).isEqualTo(12);
        JsonNode first = content.get(0);
        assertThat(first.get("token").asText()).isEqualTo("Y");
        assertThat(first.get("bytes").get(0).asInt()).isEqualTo('Y');
        // logits: 30 for the answer's byte, 0 for the 512 others
        double logNormalizer = 30 + Math.log1p(512 * Math.exp(-30));
        assertThat(first.get("logprob").asDouble()).isCloseTo(30 - logNormalizer, within(1e-6));
        JsonNode top = first.get("top_logprobs");
        assertThat(top.size()).isEqualTo(2);
        assertThat(top.get(0).get("token").asText()).isEqualTo("Y");
        // ties break to the lowest id: byte 0
        assertThat(top.get(1).get("bytes").get(0).asInt()).isZero();
        assertThat(top.get(1).get("logprob").asDouble()).isCloseTo(-logNormalizer, within(1e-4));
    }

    @Test
    void logitBiasBansAToken() throws Exception {
        HttpResponse<String> r = server.post("/v1/chat/completions",
                chat(", \"temperature\": 0, \"max_tokens\": 3, \"logit_bias\": {\"345\": -100}"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        String text = Json.MAPPER.readTree(r.body()).get("choices").get(0).get("message").get("content").asText();
        assertThat(text).doesNotStartWith("Y").hasSize(3);
    }

    @Test
    void logitBiasOutsideTheVocabulary() throws Exception {
        HttpResponse<String> r = server.post("/v1/chat/completions", chat(", \"logit_bias\": {\"5000\": 3}"));
        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode error = Json.MAPPER.readTree(r.body()).get("error");
        assertThat(error.get("param").asText()).isEqualTo("logit_bias.5000");
        assertThat(error.get("message").asText()).contains("513");
    }

    @Test
    void seededSamplingRepeats() throws Exception {
        String body = chat(", \"temperature\": 1.5, \"top_k\": 0, \"min_p\": 0, \"seed\": 7");
        String a = server.post("/v1/chat/completions", body).body();
        String b = server.post("/v1/chat/completions", body).body();
        assertThat(Json.MAPPER.readTree(a).get("choices").get(0).get("message").get("content").asText())
                .isEqualTo(Json.MAPPER.readTree(b).get("choices").get(0).get("message").get("content").asText());
    }
}
