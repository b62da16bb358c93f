package dev.hearth.server.http;

import dev.hearth.server.http.api.Json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.server.chat.ChatOutputFormat;
import dev.hearth.server.route.FakeBackends;
import dev.hearth.server.local.LocalBackend;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Fault injection: a model whose forward pass hits a memory fault (the InternalError of a truncated mapped file) is
 * marked failed, its requests get a 503 naming it, {@code /health} says degraded and lists it with the reason, and
 * the other model keeps serving. Models loading or failed at start are listed the same way.
 */
class ModelFailureTest {
    static final String FAULT = "a fault occurred in an unsafe memory access operation";

    static String chat(String model, boolean stream) {
        return "{\"model\": \"" + model + "\", \"stream\": " + stream
                + ", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}";
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.MAPPER.readTree(r.body());
    }

    static JsonNode model(JsonNode health, String name) {
        for (JsonNode m : health.get("models")) {
            if (m.get("name").asText().equals(name)) {
                return m;
            }
        }
        throw new AssertionError(name + " is not listed: " + health);
    }

    @Test
    void aMemoryFaultFailsThatModelOnly() throws Exception {
        AtomicBoolean fault = new AtomicBoolean();
        LocalBackend backend = FakeBackends.observed(4, 256, 0, 8, () -> {
            if (fault.get()) {
                throw new InternalError(FAULT);
            }
        });
        backend.add(FakeBackends.model("healthy", ChatOutputFormat.PLAIN, 4, 256, 8, 0));
        try (TestServer s = new TestServer(backend)) {
            assertThat(s.post("/v1/chat/completions", chat(FakeBackends.MODEL, false)).statusCode()).isEqualTo(200);
            assertThat(json(s.get("/health")).get("status").asText()).isEqualTo("ok");

            fault.set(true);
            HttpResponse<String> hit = s.post("/v1/chat/completions", chat(FakeBackends.MODEL, false));
            assertThat(hit.statusCode()).as(hit.body()).isEqualTo(503);
            assertThat(json(hit).get("error").get("message").asText()).contains("'" + FakeBackends.MODEL + "'")
                    .contains(FAULT);

            HttpResponse<String> health = s.get("/health");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(json(health).get("status").asText()).isEqualTo("degraded");
            assertThat(model(json(health), FakeBackends.MODEL).get("state").asText()).isEqualTo("failed");
            assertThat(model(json(health), FakeBackends.MODEL).get("reason").asText()).isEqualTo(FAULT);
            assertThat(model(json(health), "healthy").get("state").asText()).isEqualTo("ready");

            for (String path : new String[] {"/v1/chat/completions", "/api/chat"}) {
                for (boolean stream : new boolean[] {false, true}) {
                    HttpResponse<String> after = s.post(path, chat(FakeBackends.MODEL, stream));
                    assertThat(after.statusCode()).as(path + " " + after.body()).isEqualTo(503);
                    assertThat(after.body()).contains("'" + FakeBackends.MODEL + "' failed");
                }
            }
            assertThat(s.post("/v1/chat/completions", chat("healthy", false)).statusCode()).isEqualTo(200);
            assertThat(s.post("/v1/chat/completions", chat("healthy", true)).body()).endsWith("data: [DONE]\n\n");
        }
    }

    @Test
    void modelsLoadingOrFailedAtStartAreListedAndRefusedByName() throws Exception {
        LocalBackend backend = new LocalBackend();
        backend.starting("big");
        try (TestServer s = new TestServer(backend)) {
            HttpResponse<String> health = s.get("/health");
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(json(health).get("status").asText()).isEqualTo("loading");
            assertThat(model(json(health), "big").get("state").asText()).isEqualTo("loading");
            HttpResponse<String> early = s.post("/v1/chat/completions", chat("big", false));
            assertThat(early.statusCode()).isEqualTo(503);
            assertThat(early.headers().firstValue("retry-after")).isPresent();
            assertThat(json(early).get("error").get("code").asText()).isEqualTo("model_loading");

            backend.failed("big", "not enough memory: needs 9.1 GiB, 4.0 GiB free");
            health = s.get("/health");
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(json(health).get("status").asText()).isEqualTo("unavailable");
            HttpResponse<String> refused = s.post("/api/generate", "{\"model\": \"big\", \"prompt\": \"x\"}");
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(json(refused).get("error").asText()).contains("'big'").contains("not enough memory");

            backend.add(FakeBackends.model(2, 128, 4, 0));
            health = s.get("/health");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(json(health).get("status").asText()).isEqualTo("degraded");
        }
    }
}
