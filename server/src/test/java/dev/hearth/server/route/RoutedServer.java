package dev.hearth.server.route;

import dev.hearth.server.http.HearthServer;
import dev.hearth.server.http.ServerParts;
import dev.hearth.server.http.ServerSettings;
import dev.hearth.server.local.LocalBackend;
import dev.hearth.server.metrics.RouteMetrics;
import dev.hearth.server.metrics.ServerMetrics;
import dev.hearth.server.config.ConfigLoader;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** A Hearth server on a loopback port routing by a YAML configuration over a fake local backend. */
final class RoutedServer implements AutoCloseable {
    final LocalBackend local;
    final Router router;
    final HearthServer server;
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    RoutedServer(String yaml, LocalBackend local) {
        this(yaml, local, Map.of());
    }

    RoutedServer(String yaml, LocalBackend local, Map<String, String> unavailable) {
        this.local = local;
        this.router = new Router(ConfigLoader.parse("test.yaml", yaml), local, unavailable, Map.of(),
                new RouteMetrics(), new QueueWaitEstimator(System::nanoTime));
        this.server = HearthServer.start(ServerParts.of(router, ServerSettings.ephemeral(), new ServerMetrics(local)));
    }

    String base() {
        return "http://127.0.0.1:" + server.port();
    }

    HttpResponse<String> chat(String model, String user, boolean stream, Map<String, String> headers, String extra)
            throws IOException, InterruptedException {
        String body = "{\"model\":\"" + model + "\",\"max_tokens\":64,\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + user + "\"}]" + extra + "}";
        return post("/v1/chat/completions", body, headers);
    }

    HttpResponse<String> post(String path, String body, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String backend(HttpResponse<?> r) {
        return r.headers().firstValue("x-hearth-backend").orElse(null);
    }

    @Override
    public void close() {
        server.close();
        router.close();
        local.close();
        client.close();
    }
}
