package dev.hearth.server.agents;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Agent keys and quotas through the HTTP server over the fake backend. */
class AgentQuotasServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static JsonNode error(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body()).path("error");
    }

    @Test
    void openWithoutKeysThenKeysRequiredAndUnknownOrRevokedKeysGet401() throws Exception {
        try (AgentsTestSupport s = new AgentsTestSupport(dir, null, 0)) {
            // no keys configured: open on loopback, whatever token a client sends
            assertThat(s.chat(null, "hi").statusCode()).isEqualTo(200);
            assertThat(s.chat("sk-no-key", "hi").statusCode()).isEqualTo(200);
            String key = s.gate.keys().create(AgentsTestSupport.agent("planner", AgentLimits.UNLIMITED)).key();
            Thread.sleep(AgentKeys.CACHE_MILLIS + 100);  // the "any keys" answer is cached
            HttpResponse<String> ok = s.chat(key, "plan it");
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(ok.body()).path("choices").path(0).path("message").path("content").asText())
                    .isEqualTo("You said: plan it");
            for (String bad : new String[] {null, "sk-no-key", "hk-unknown"}) {
                HttpResponse<String> r = s.chat(bad, "hi");
                assertThat(r.statusCode()).as("key " + bad).isEqualTo(401);
                assertThat(error(r).path("code").asText()).isEqualTo("invalid_api_key");
                assertThat(error(r).path("type").asText()).isEqualTo("invalid_request_error");
            }
            // another agent keeps a key, so the server stays closed (revoking every key would open it again)
            String other = s.gate.keys().create(AgentsTestSupport.agent("coder", AgentLimits.UNLIMITED)).key();
            s.gate.keys().revoke("planner");
            assertThat(s.chat(key, "hi").statusCode()).as("a revoked key, at once").isEqualTo(401);
            assertThat(s.chat(other, "hi").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void adminKeyStillWorksAndUsageNeedsIt() throws Exception {
        try (AgentsTestSupport s = new AgentsTestSupport(dir, "admin-secret", 0)) {
            String key = s.gate.keys().create(AgentsTestSupport.agent("coder", AgentLimits.UNLIMITED)).key();
            assertThat(s.chat("admin-secret", "a").statusCode()).isEqualTo(200);
            assertThat(s.chat(key, "b").statusCode()).isEqualTo(200);
            assertThat(s.chat(key, "c").statusCode()).isEqualTo(200);
            s.gate.ledger().flush();
            assertThat(s.get(key, "/v1/usage").statusCode()).isEqualTo(403);
            assertThat(s.get(null, "/v1/usage").statusCode()).isEqualTo(401);
            HttpResponse<String> usage = s.get("admin-secret", "/v1/usage?since=1h");
            assertThat(usage.statusCode()).isEqualTo(200);
            JsonNode data = JSON.readTree(usage.body()).path("data");
            assertThat(data).hasSize(2);
            JsonNode coder = data.get(1);
            assertThat(coder.path("agent").asText()).isEqualTo("coder");
            assertThat(coder.path("requests").asLong()).isEqualTo(2);
            // "user: b\nassistant: " is 19 prompt tokens; "You said: b" 11 tokens plus EOS
            assertThat(coder.path("prompt_tokens").asLong()).isEqualTo(2 * 19);
            assertThat(coder.path("generated_tokens").asLong()).isEqualTo(2 * 12);
            assertThat(data.get(0).path("agent").asText()).isEqualTo("admin");
            assertThat(s.get("admin-secret", "/v1/usage?since=yesterday").statusCode()).isEqualTo(400);
            String metrics = s.get("admin-secret", "/metrics").body();
            assertThat(metrics).contains("hearth_agent_requests_total{agent=\"coder\",outcome=\"ok\"} 2.0");
            assertThat(metrics).contains("hearth_agent_tokens_total{agent=\"coder\",kind=\"generated\"} 24.0");
        }
    }

    @Test
    void rpmOverTheLimitIs429WithRetryAfterAndSurvivesARestart() throws Exception {
        String key;
        try (AgentsTestSupport s = new AgentsTestSupport(dir, null, 0)) {
            key = s.gate.keys().create(AgentsTestSupport.agent("chatty", new AgentLimits(2, 0, 0, 0))).key();
            assertThat(s.chat(key, "1").statusCode()).isEqualTo(200);
            assertThat(s.chat(key, "2").statusCode()).isEqualTo(200);
            HttpResponse<String> r = s.chat(key, "3");
            assertThat(r.statusCode()).isEqualTo(429);
            assertThat(r.headers().firstValueAsLong("Retry-After").orElseThrow()).isBetween(1L, 60L);
            assertThat(error(r).path("code").asText()).isEqualTo("rate_limit_exceeded");
            assertThat(error(r).path("message").asText()).contains("rpm limit of 2");
        }
        // a restarted server rebuilds the minute's counters from the ledger
        try (AgentsTestSupport s = new AgentsTestSupport(dir, null, 0)) {
            HttpResponse<String> r = s.chat(key, "4");
            assertThat(r.statusCode()).isEqualTo(429);
            assertThat(error(r).path("message").asText()).contains("rpm");
        }
    }

    @Test
    void tokenLimitsAre429OnceReachedAndDailyTokensSurviveARestart() throws Exception {
        String tpmKey;
        String dayKey;
        try (AgentsTestSupport s = new AgentsTestSupport(dir, null, 0)) {
            tpmKey = s.gate.keys().create(AgentsTestSupport.agent("tpm", new AgentLimits(0, 30, 0, 0))).key();
            dayKey = s.gate.keys().create(AgentsTestSupport.agent("day", new AgentLimits(0, 0, 70, 0))).key();
            // no max_tokens: 1 + 1024 reserved, more than the whole limit, so admitted only into an idle window
            assertThat(s.chat(tpmKey, "x").statusCode()).isEqualTo(200);  // 19 + 12 = 31 tokens >= 30
            HttpResponse<String> r = s.chat(tpmKey, "y");
            assertThat(r.statusCode()).isEqualTo(429);
            assertThat(error(r).path("message").asText()).contains("tpm limit of 30");
            assertThat(error(r).path("type").asText()).isEqualTo("tokens");
            // each reserves 1 (prompt estimate) + 12 and settles at 31
            assertThat(s.chat(dayKey, "x", 12).statusCode()).isEqualTo(200);
            assertThat(s.chat(dayKey, "y", 12).statusCode()).isEqualTo(200);  // 31 + 13 <= 70 before it
            assertThat(settled(() -> s.gate.quotas().reserved("day"))).isZero();
        }
        try (AgentsTestSupport s = new AgentsTestSupport(dir, null, 0)) {
            // 62 used (rebuilt from the ledger) + 13 reserved > 70
            HttpResponse<String> r = s.chat(dayKey, "z", 12);
            assertThat(r.statusCode()).isEqualTo(429);
            assertThat(error(r).path("message").asText()).contains("daily-tokens limit of 70");
            assertThat(r.headers().firstValueAsLong("Retry-After").orElseThrow()).isBetween(1L, 86_400L);
            // a refused reservation is not a request: a smaller one still fits (62 + 1 + 6 <= 70)
            assertThat(s.chat(dayKey, "z", 6).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aBurstOfParallelRequestsCannotOvershootTheTokensPerMinute() throws Exception {
        try (AgentsTestSupport s = new AgentsTestSupport(dir, null, 20)) {
            String key = s.gate.keys().create(AgentsTestSupport.agent("burst", new AgentLimits(0, 100, 0, 0))).key();
            // each reserves 1 + 30 = 31 tokens and really uses 19 + 12 = 31: three fit in 100, the other five are
            // refused at admission however the eight overlap (charged only at the end, all eight would run: 248)
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String text = Integer.toString(i);
                calls.add(CompletableFuture.supplyAsync(() -> call(s, key, text, 30)));
            }
            int ok = 0;
            for (CompletableFuture<HttpResponse<String>> c : calls) {
                HttpResponse<String> r = c.get();
                if (r.statusCode() == 200) {
                    ok++;
                } else {
                    assertThat(r.statusCode()).isEqualTo(429);
                    assertThat(error(r).path("message").asText()).contains("tpm limit of 100");
                    assertThat(r.headers().firstValueAsLong("Retry-After").orElseThrow()).isBetween(1L, 60L);
                }
            }
            assertThat(ok).isEqualTo(3);
            assertThat(settled(() -> s.gate.quotas().reserved("burst"))).isZero();
            assertThat(s.gate.quotas().minuteTokens("burst", System.currentTimeMillis())).isEqualTo(3 * 31);
            assertThat(settled(() -> s.gate.quotas().inFlight("burst"))).isZero();
        }
    }

    @Test
    void parallelRequestsOverTheLimitAre429() throws Exception {
        try (AgentsTestSupport s = new AgentsTestSupport(dir, null, 30)) {
            String key = s.gate.keys().create(AgentsTestSupport.agent("wide", new AgentLimits(0, 0, 0, 1))).key();
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            calls.add(CompletableFuture.supplyAsync(() -> call(s, key, "a long enough question")));
            while (s.gate.quotas().inFlight("wide") == 0) {
                Thread.sleep(5);
            }
            HttpResponse<String> second = s.chat(key, "b");
            assertThat(second.statusCode()).isEqualTo(429);
            assertThat(error(second).path("message").asText()).contains("max-parallel limit of 1");
            assertThat(calls.getFirst().get().statusCode()).isEqualTo(200);
            assertThat(settled(() -> s.gate.quotas().inFlight("wide"))).isZero();
            assertThat(s.chat(key, "c").statusCode()).isEqualTo(200);
        }
    }

    private static HttpResponse<String> call(AgentsTestSupport s, String key, String text) {
        return call(s, key, text, null);
    }

    private static HttpResponse<String> call(AgentsTestSupport s, String key, String text, Integer maxTokens) {
        try {
            return s.chat(key, text, maxTokens);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A quota figure once the server has settled the last request: the gate ends a request after its response is
     * written, so the client can read the response a moment before (up to 5 s here; the figure as it is then).
     */
    private static long settled(java.util.function.LongSupplier figure) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        long v = figure.getAsLong();
        while (v != 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
            v = figure.getAsLong();
        }
        return v;
    }
}
