package dev.hearth.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.server.route.FakeBackends;
import dev.hearth.server.local.LocalBackend;
import dev.hearth.server.route.FakeText;
import dev.hearth.server.backend.PromptMessage;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** /metrics in Prometheus text format with exact token counts; /health readiness. */
class MetricsAndHealthTest {

    @Test
    void healthIsReadyOnlyOnceAModelIsLoaded() throws Exception {
        LocalBackend backend = new LocalBackend();
        try (TestServer server = new TestServer(backend)) {
            HttpResponse<String> loading = server.get("/health");
            assertThat(loading.statusCode()).isEqualTo(503);
            assertThat(loading.body()).contains("\"loading\"");
            backend.add(FakeBackends.model(2, 128, 4, 0));
            assertThat(server.get("/health").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void countsRequestsTokensAndLatencies() throws Exception {
        try (TestServer server = new TestServer(FakeBackends.create())) {
            HttpResponse<String> health = server.get("/health");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("\"ok\"");
            for (int i = 0; i < 2; i++) {
                assertThat(server.post("/v1/chat/completions", "{\"model\": \"" + FakeBackends.MODEL
                        + "\", \"messages\": [{\"role\": \"user\", \"content\": \"count\"}]}").statusCode())
                        .isEqualTo(200);
            }
            server.post("/v1/chat/completions", "{\"model\": \"none\", \"messages\": [{\"role\": \"user\", "
                    + "\"content\": \"x\"}]}");
            HttpResponse<String> metrics = server.get("/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
            String text = metrics.body();
            int prompt = FakeText.render(List.of(PromptMessage.of("user", "count"))).length();
            int generated = "You said: count".length() + 1;
            assertThat(text)
                    .contains("hearth_http_requests_total{endpoint=\"/v1/chat/completions\",status=\"200\"} 2")
                    .contains("hearth_http_requests_total{endpoint=\"/v1/chat/completions\",status=\"404\"} 1")
                    .contains("hearth_http_requests_total{endpoint=\"/health\",status=\"200\"} 1")
                    .contains("hearth_prompt_tokens_total{model=\"fake-model\"} " + (2 * prompt))
                    .contains("hearth_generated_tokens_total{model=\"fake-model\"} " + (2 * generated))
                    .contains("hearth_time_to_first_token_seconds_count{model=\"fake-model\"} 2")
                    .contains("hearth_inter_token_latency_seconds_count{model=\"fake-model\"} "
                            + (2 * (generated - 1 - 1)))
                    .contains("hearth_queue_depth{model=\"fake-model\"} 0")
                    .contains("hearth_running_sequences{model=\"fake-model\"} 0")
                    .contains("hearth_model_load_seconds{model=\"fake-model\"} 0.042")
                    .contains("hearth_preemptions_total{model=\"fake-model\"} 0")
                    .contains("hearth_cached_prompt_tokens_total{model=\"fake-model\"} "
                            + server.backend.load(FakeBackends.MODEL).cachedPromptTokens());
        }
    }
}
