package dev.hearth.server.route;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * The router's added latency on a relayed request: the same requests straight to a fake upstream on loopback and
 * through Hearth, medians over many requests. Prints the figures; asserts only that every answer arrived whole.
 */
class RelayLatencyTest {
    static final int WARMUP = 300;
    static final int MEASURED = 1000;
    static final String ANSWER = "{\"id\":\"x\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":"
            + "{\"role\":\"assistant\",\"content\":\"ok\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,"
            + "\"completion_tokens\":1,\"total_tokens\":4}}";
    static final String STREAM = "data: {\"id\":\"x\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ok\"}}]}\n\n"
            + "data: {\"id\":\"x\",\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}\n\n"
            + "data: [DONE]\n\n";

    @Test
    void medianAddedLatencyOfARelayedRequest() throws Exception {
        HttpServer upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        upstream.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        upstream.createContext("/v1/health", ex -> {
            byte[] out = "ok".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        upstream.createContext("/v1/chat/completions", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            boolean stream = body.contains("\"stream\":true");
            byte[] out = (stream ? STREAM : ANSWER).getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", stream ? "text/event-stream" : "application/json");
            ex.sendResponseHeaders(200, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        upstream.start();
        String url = "http://127.0.0.1:" + upstream.getAddress().getPort() + "/v1";
        String yaml = """
                backends:
                  up: {type: openai, url: %s, models: [m]}
                routes:
                  - model: relayed
                    targets: [up/m]
                """.formatted(url);
        try (RoutedServer s = new RoutedServer(yaml, new LocalBackend());
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            double[] hop = measureGet(client, s.base() + "/");
            double[] bare = measureGet(client, url + "/health");
            System.out.printf("bare HTTP hop (GET, no routing): upstream median %.3f ms, Hearth median %.3f ms%n",
                    bare[0], hop[0]);
            for (boolean stream : new boolean[] {false, true}) {
                String direct = "{\"model\":\"m\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
                String routed = direct.replace("\"m\"", "\"relayed\"");
                double[] d = measure(client, url + "/chat/completions", direct, stream);
                double[] h = measure(client, s.base() + "/v1/chat/completions", routed, stream);
                System.out.printf("relay latency (%s, %d requests, loopback): direct median %.3f ms (p90 %.3f), "
                        + "through Hearth median %.3f ms (p90 %.3f), added %.3f ms%n", stream ? "stream" : "json",
                        MEASURED, d[0], d[1], h[0], h[1], h[0] - d[0]);
            }
            assertThat(s.router.metrics().counter("requests", "up/m")).isEqualTo(2.0 * (WARMUP + MEASURED));
            assertThat(s.router.metrics().counter("errors", "up/m", "timeout")).isZero();
        } finally {
            upstream.stop(0);
        }
    }

    static double[] measureGet(HttpClient client, String url) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).GET().build();
        double[] ms = new double[MEASURED];
        for (int i = -WARMUP; i < MEASURED; i++) {
            long t = System.nanoTime();
            HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
            long took = System.nanoTime() - t;
            assertThat(r.statusCode()).isEqualTo(200);
            if (i >= 0) {
                ms[i] = took / 1e6;
            }
        }
        Arrays.sort(ms);
        return new double[] {ms[MEASURED / 2], ms[MEASURED * 9 / 10]};
    }

    /** Median and p90 in milliseconds; every answer must arrive whole. */
    static double[] measure(HttpClient client, String url, String body, boolean stream) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        double[] ms = new double[MEASURED];
        for (int i = -WARMUP; i < MEASURED; i++) {
            long t = System.nanoTime();
            HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
            long took = System.nanoTime() - t;
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains(stream ? "[DONE]" : "\"content\":\"ok\"");
            if (i >= 0) {
                ms[i] = took / 1e6;
            }
        }
        Arrays.sort(ms);
        return new double[] {ms[MEASURED / 2], ms[MEASURED * 9 / 10]};
    }
}
