package dev.hearth.server.http;

import dev.hearth.server.http.api.Json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.server.route.FakeBackends;
import dev.hearth.server.local.LocalBackend;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Many streams at once through one engine, and a client that hangs up mid-stream. */
class StreamingConcurrencyTest {

    /** The text of an SSE chat stream, checking the framing on the way: data lines, role first, [DONE] last. */
    static String sseText(String body) throws Exception {
        String[] events = body.split("\n\n");
        assertThat(events[events.length - 1]).isEqualTo("data: [DONE]");
        StringBuilder text = new StringBuilder();
        String finish = null;
        for (int i = 0; i < events.length - 1; i++) {
            assertThat(events[i]).startsWith("data: ");
            JsonNode chunk = Json.MAPPER.readTree(events[i].substring(6));
            assertThat(chunk.get("object").asText()).isEqualTo("chat.completion.chunk");
            JsonNode choice = chunk.get("choices").get(0);
            if (i == 0) {
                assertThat(choice.get("delta").get("role").asText()).isEqualTo("assistant");
            }
            assertThat(choice.has("finish_reason")).isTrue();
            if (!choice.get("finish_reason").isNull()) {
                finish = choice.get("finish_reason").asText();
            }
            text.append(choice.get("delta").path("content").asText(""));
        }
        assertThat(finish).isEqualTo("stop");
        return text.toString();
    }

    @Test
    void sixteenConcurrentStreamsEachGetTheirOwnAnswer() throws Exception {
        try (TestServer server = new TestServer(FakeBackends.create(16, 512, 64, 2));
                ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String message = "stream number " + i + " " + "ab".repeat(i);
                answers.add(pool.submit((Callable<String>) () -> {
                    HttpResponse<String> r = server.post("/v1/chat/completions", "{\"model\": \""
                            + FakeBackends.MODEL + "\", \"stream\": true, \"messages\": [{\"role\": \"user\", "
                            + "\"content\": \"" + message + "\"}]}");
                    assertThat(r.statusCode()).isEqualTo(200);
                    assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
                    return sseText(r.body());
                }));
            }
            for (int i = 0; i < 16; i++) {
                assertThat(answers.get(i).get()).isEqualTo("You said: stream number " + i + " " + "ab".repeat(i));
            }
        }
    }

    @Test
    void twoChoicesStreamInterleavedEachWithRoleAndFinish() throws Exception {
        try (TestServer server = new TestServer(FakeBackends.create())) {
            HttpResponse<String> r = server.post("/v1/chat/completions", "{\"model\": \"" + FakeBackends.MODEL
                    + "\", \"stream\": true, \"n\": 2, \"messages\": [{\"role\": \"user\", \"content\": \"pair\"}]}");
            String[] events = r.body().split("\n\n");
            assertThat(events[events.length - 1]).isEqualTo("data: [DONE]");
            StringBuilder[] text = {new StringBuilder(), new StringBuilder()};
            int[] roles = new int[2];
            String[] finish = new String[2];
            for (int i = 0; i < events.length - 1; i++) {
                JsonNode choice = Json.MAPPER.readTree(events[i].substring(6)).get("choices").get(0);
                int index = choice.get("index").asInt();
                if (choice.get("delta").has("role")) {
                    roles[index]++;
                    assertThat(text[index]).isEmpty();
                }
                assertThat(finish[index]).as("nothing after the finish chunk").isNull();
                text[index].append(choice.get("delta").path("content").asText(""));
                if (!choice.get("finish_reason").isNull()) {
                    finish[index] = choice.get("finish_reason").asText();
                }
            }
            for (int i = 0; i < 2; i++) {
                assertThat(roles[i]).isEqualTo(1);
                assertThat(text[i].toString()).isEqualTo("You said: pair");
                assertThat(finish[i]).isEqualTo("stop");
            }
        }
    }

    @Test
    void clientDisconnectCancelsItsGeneration() throws Exception {
        LocalBackend backend = FakeBackends.create(2, 4096, 8, 10);
        try (TestServer server = new TestServer(backend)) {
            String body = "{\"model\": \"" + FakeBackends.MODEL + "\", \"stream\": true, \"messages\": "
                    + "[{\"role\": \"user\", \"content\": \"" + "long ".repeat(400) + "\"}]}";
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            try (Socket socket = new Socket("127.0.0.1", server.server.port())) {
                OutputStream out = socket.getOutputStream();
                out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json"
                        + "\r\nContent-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(bytes);
                out.flush();
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                        StandardCharsets.UTF_8));
                int contentEvents = 0;
                for (String line; contentEvents < 5 && (line = in.readLine()) != null; ) {
                    if (line.contains("\"content\":\"") && !line.contains("\"content\":\"\"")) {
                        contentEvents++;
                    }
                }
                assertThat(contentEvents).isEqualTo(5);
                assertThat(backend.load(FakeBackends.MODEL).running()).isEqualTo(1);
            }
            // the answer is ~2000 tokens at 10 ms a step (20 s); hanging up must free the slot long before that
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (backend.load(FakeBackends.MODEL).running() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(backend.load(FakeBackends.MODEL).running()).isZero();
            assertThat(backend.load(FakeBackends.MODEL).waiting()).isZero();
        }
    }
}
