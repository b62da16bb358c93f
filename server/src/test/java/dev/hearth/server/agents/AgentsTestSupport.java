package dev.hearth.server.agents;

import dev.hearth.engine.Priority;
import dev.hearth.server.http.HearthServer;
import dev.hearth.server.http.ServerParts;
import dev.hearth.server.http.ServerSettings;
import dev.hearth.server.metrics.ServerMetrics;
import dev.hearth.server.route.FakeBackends;
import dev.hearth.server.local.LocalBackend;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

/** A server over the fake backend with an agents database in a temporary directory, and a raw HTTP client. */
final class AgentsTestSupport implements AutoCloseable {
    final Path db;
    final LocalBackend backend;
    final AgentGate gate;
    final HearthServer server;
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    AgentsTestSupport(Path dir, String adminKey, long stepDelayMillis) {
        this(dir, adminKey, stepDelayMillis, 512);
    }

    AgentsTestSupport(Path dir, String adminKey, long stepDelayMillis, int context) {
        this.db = dir.resolve(AgentDatabase.FILE_NAME);
        this.backend = FakeBackends.create(4, context, 256, stepDelayMillis);
        this.gate = AgentGate.open(db, adminKey);
        this.server = HearthServer.start(ServerParts.of(backend, new ServerSettings("127.0.0.1", 0, adminKey,
                ServerSettings.DEFAULT_MAX_BODY_BYTES), new ServerMetrics(backend)).withAgents(gate));
    }

    String base() {
        return "http://127.0.0.1:" + server.port();
    }

    static AgentPolicy agent(String name, AgentLimits limits) {
        return new AgentPolicy(name, Priority.NORMAL, limits, RouteClass.LOCAL, System.currentTimeMillis());
    }

    HttpResponse<String> chat(String key, String text) throws Exception {
        return chat(key, text, null);
    }

    /** A chat request with {@code max_tokens} (null: none). */
    HttpResponse<String> chat(String key, String text, Integer maxTokens) throws Exception {
        String body = "{\"model\": \"fake-model\", " + (maxTokens == null ? "" : "\"max_tokens\": " + maxTokens + ", ")
                + "\"messages\": [{\"role\": \"user\", \"content\": \"" + text + "\"}]}";
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + "/v1/chat/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String key, String path) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path)).GET();
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        server.close();
        backend.close();
        gate.close();
        client.close();
    }
}
