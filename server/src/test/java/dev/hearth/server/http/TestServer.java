package dev.hearth.server.http;

import dev.hearth.server.metrics.ServerMetrics;
import dev.hearth.server.backend.Backend;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** A Hearth server on a free loopback port over a given backend, with a plain HTTP client for raw requests. */
final class TestServer implements AutoCloseable {
    final Backend backend;
    final HearthServer server;
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    TestServer(Backend backend, ServerSettings settings) {
        this(backend, settings, null);
    }

    TestServer(Backend backend, ServerSettings settings, dev.hearth.server.hub.Puller puller) {
        this.backend = backend;
        this.server = HearthServer.start(ServerParts.of(backend, settings, new ServerMetrics(backend))
                .withPuller(puller));
    }

    TestServer(Backend backend) {
        this(backend, ServerSettings.ephemeral());
    }

    String base() {
        return "http://127.0.0.1:" + server.port();
    }

    HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(base() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(base() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        server.close();
        backend.close();
        client.close();
    }
}
