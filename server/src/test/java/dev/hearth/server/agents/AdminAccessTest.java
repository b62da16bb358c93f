package dev.hearth.server.agents;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With keys: /metrics, /v1/usage and /api/pull are the admin's; a key revoked by another process (the
 * {@code hearth keys} command) stops working at once; two Authorization headers are refused.
 */
class AdminAccessTest {
    @TempDir
    Path dir;

    @Test
    void adminOnlyEndpointsRefuseAgentKeys() throws Exception {
        try (AgentsTestSupport s = new AgentsTestSupport(dir, "admin-secret", 0)) {
            String key = s.gate.keys().create(AgentsTestSupport.agent("planner", AgentLimits.UNLIMITED)).key();
            assertThat(s.chat(key, "hi").statusCode()).isEqualTo(200);
            for (String path : new String[] {"/metrics", "/v1/usage"}) {
                HttpResponse<String> r = s.get(key, path);
                assertThat(r.statusCode()).as(path).isEqualTo(403);
                assertThat(r.body()).contains("needs the admin key").doesNotContain("planner");
                assertThat(s.get("admin-secret", path).statusCode()).as(path).isEqualTo(200);
            }
            HttpResponse<String> pull = s.client.send(HttpRequest.newBuilder(URI.create(s.base() + "/api/pull"))
                    .header("Authorization", "Bearer " + key)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\": \"qwen2.5:0.5b\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(pull.statusCode()).isEqualTo(403);
        }
    }

    @Test
    void aKeyRevokedElsewhereStopsWorkingAtOnce() throws Exception {
        try (AgentsTestSupport s = new AgentsTestSupport(dir, "admin-secret", 0)) {
            String key = s.gate.keys().create(AgentsTestSupport.agent("coder", AgentLimits.UNLIMITED)).key();
            assertThat(s.chat(key, "hi").statusCode()).isEqualTo(200);  // now cached as valid
            try (java.sql.Connection other = AgentDatabase.open(s.db)) {  // as 'hearth keys revoke' does
                assertThat(new AgentKeys(other).revoke("coder")).isEqualTo(1);
            }
            assertThat(s.chat(key, "hi").statusCode()).isEqualTo(401);
        }
    }

    @Test
    void twoAuthorizationHeadersAreRefused() throws Exception {
        try (AgentsTestSupport s = new AgentsTestSupport(dir, "admin-secret", 0)) {
            String key = s.gate.keys().create(AgentsTestSupport.agent("twice", AgentLimits.UNLIMITED)).key();
            HttpResponse<String> r = s.client.send(HttpRequest.newBuilder(URI.create(s.base() + "/v1/models"))
                    .header("Authorization", "Bearer " + key).header("Authorization", "Bearer admin-secret").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.body()).contains("Authorization");
        }
    }
}
