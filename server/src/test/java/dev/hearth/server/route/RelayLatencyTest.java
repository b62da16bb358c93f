package dev.hearth.server.route;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.hearth.server.local.LocalBackend;
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
 * through Hearth, alternately, medians over many requests. Prints the figures; asserts only that every answer
 * arrived whole.
 */
class RelayLatencyTest {
    static final int WARMUP = 1500;
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
            HttpRequest bareGet = HttpRequest.newBuilder(URI.create(url + "/health")).GET().build();
            HttpRequest hearthGet = HttpRequest.newBuilder(URI.create(s.base() + "/")).GET().build();
            String[] bodies = new String[2];
            for (int k = 0; k < 2; k++) {
                bodies[k] = "{\"model\":\"m\",\"stream\":" + (k == 1) + ",\"messages\":[{\"role\":\"user\","
                        + "\"content\":\"hi\"}]}";
            }
            // every path is compiled by the JIT before any is measured
            for (int i = 0; i < WARMUP; i++) {
                time(client, bareGet, null);
                time(client, hearthGet, null);
                for (String direct : bodies) {
                    time(client, post(url + "/chat/completions", direct), "\"ok\"");
                    time(client, post(s.base() + "/v1/chat/completions", direct.replace("\"m\"", "\"relayed\"")),
                            "\"ok\"");
                }
            }
            double[][] hop = measure(client, bareGet, hearthGet, null);
            System.out.printf("bare HTTP hop (GET, no routing, %d pairs): upstream median %.3f ms, Hearth median %.3f ms,"
                    + " median of paired differences %.3f ms%n", MEASURED, hop[0][0], hop[1][0], hop[2][0]);
            for (boolean stream : new boolean[] {false, true}) {
                String direct = bodies[stream ? 1 : 0];
                String routed = direct.replace("\"m\"", "\"relayed\"");
                double[][] m = measure(client, post(url + "/chat/completions", direct),
                        post(s.base() + "/v1/chat/completions", routed), stream ? "[DONE]" : "\"content\":\"ok\"");
                System.out.printf("relay latency (%s, %d pairs, loopback): direct median %.3f ms (p90 %.3f), "
                        + "through Hearth median %.3f ms (p90 %.3f), added %.3f ms (median of paired differences"
                        + " %.3f ms)%n", stream ? "stream" : "json", MEASURED, m[0][0], m[0][1], m[1][0], m[1][1],
                        m[1][0] - m[0][0], m[2][0]);
            }
            assertThat(s.router.metrics().counter("requests", "up/m")).isEqualTo(2.0 * (WARMUP + MEASURED));
            assertThat(s.router.metrics().counter("errors", "up/m", "timeout")).isZero();
        } finally {
            upstream.stop(0);
        }
    }

    static HttpRequest post(String url, String body) {
        return HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /**
     * The same request straight and through Hearth, alternately (so that a busy machine slows both alike): median
     * and p90 in milliseconds of each, and of their paired differences. Every answer must arrive whole.
     */
    static double[][] measure(HttpClient client, HttpRequest direct, HttpRequest routed, String expected)
            throws Exception {
        double[][] ms = new double[3][MEASURED];
        for (int i = 0; i < MEASURED; i++) {
            double a = time(client, direct, expected);
            double b = time(client, routed, expected);
            ms[0][i] = a;
            ms[1][i] = b;
            ms[2][i] = b - a;
        }
        double[][] out = new double[3][];
        for (int k = 0; k < 3; k++) {
            Arrays.sort(ms[k]);
            out[k] = new double[] {ms[k][MEASURED / 2], ms[k][MEASURED * 9 / 10]};
        }
        return out;
    }

    private static double time(HttpClient client, HttpRequest request, String expected) throws Exception {
        long t = System.nanoTime();
        HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
        long took = System.nanoTime() - t;
        assertThat(r.statusCode()).isEqualTo(200);
        if (expected != null) {
            assertThat(r.body()).contains(expected);
        }
        return took / 1e6;
    }
}
