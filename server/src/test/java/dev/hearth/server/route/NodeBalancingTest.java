package dev.hearth.server.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.server.http.HearthServer;
import dev.hearth.server.http.ServerParts;
import dev.hearth.server.http.ServerSettings;
import dev.hearth.server.local.LocalBackend;
import dev.hearth.server.metrics.ServerMetrics;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Two Hearth nodes behind a front Hearth: load spreads by outstanding requests, system prompts keep their node. */
class NodeBalancingTest {

    @Test
    void loadSpreadsAcrossNodesAndSystemPromptAffinityHolds() throws Exception {
        LocalBackend b0 = FakeBackends.create(8, 512, 64, 10);
        LocalBackend b1 = FakeBackends.create(8, 512, 64, 10);
        try (HearthServer n0 = HearthServer.start(ServerParts.of(b0, ServerSettings.ephemeral(),
                        new ServerMetrics(b0)));
                HearthServer n1 = HearthServer.start(ServerParts.of(b1, ServerSettings.ephemeral(),
                        new ServerMetrics(b1)));
                RoutedServer front = new RoutedServer("""
                        backends:
                          cluster:
                            type: hearth
                            nodes: [http://127.0.0.1:%d/v1, http://127.0.0.1:%d/v1]
                            models: [fake-model]
                            affinity_slack: 2
                        routes:
                          - model: assistant
                            targets: [cluster/fake-model]
                        """.formatted(n0.port(), n1.port()), new LocalBackend())) {
            // 1. no system prompt: fewest outstanding requests; 24 at once spread over both nodes
            Map<String, AtomicInteger> served = new ConcurrentHashMap<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<HttpResponse<String>>> futures = new ArrayList<>();
                for (int i = 0; i < 24; i++) {
                    String user = "question " + i;
                    futures.add(pool.submit(() -> front.chat("assistant", user, false, Map.of(), "")));
                }
                for (int i = 0; i < futures.size(); i++) {
                    HttpResponse<String> r = futures.get(i).get();
                    assertThat(r.statusCode()).isEqualTo(200);
                    assertThat(r.body()).contains(FakeRunner.answer("user: question " + i + "\n"));
                    served.computeIfAbsent(RoutedServer.backend(r), k -> new AtomicInteger()).incrementAndGet();
                }
            }
            System.out.println("24 concurrent requests without a system prompt: " + served);
            assertThat(served).containsOnlyKeys("cluster.0/fake-model", "cluster.1/fake-model");
            assertThat(served.values()).allSatisfy(n -> assertThat(n.get()).isGreaterThanOrEqualTo(6));

            // 2. with a system prompt: every request of one prompt lands on the same node; prompts spread
            Map<String, Set<String>> nodesBySystem = new HashMap<>();
            for (int round = 0; round < 4; round++) {
                for (int k = 0; k < 8; k++) {
                    String system = "You are assistant number " + k;
                    String body = "{\"model\":\"assistant\",\"max_tokens\":8,\"messages\":[{\"role\":\"system\","
                            + "\"content\":\"" + system + "\"},{\"role\":\"user\",\"content\":\"turn " + round + "\"}]}";
                    HttpResponse<String> r = front.post("/v1/chat/completions", body, Map.of());
                    assertThat(r.statusCode()).isEqualTo(200);
                    nodesBySystem.computeIfAbsent(system, s -> new HashSet<>()).add(RoutedServer.backend(r));
                }
            }
            System.out.println("system prompt -> nodes over 4 rounds: " + nodesBySystem);
            assertThat(nodesBySystem.values()).allSatisfy(nodes -> assertThat(nodes).hasSize(1));
            Set<String> used = new HashSet<>();
            nodesBySystem.values().forEach(used::addAll);
            assertThat(used).hasSize(2);
        }
    }
}
