package dev.hearth.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.server.route.FakeBackends;
import dev.hearth.server.local.LocalBackend;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A streaming client that goes away while its long prompt is still being read has its sequence cancelled then, not
 * when the first token is written: the fake model takes half a second per step and at least twelve steps for the
 * prompt, and the engine must have stopped before it read the whole prompt.
 */
class PrefillDisconnectTest {
    static final int PROMPT_STEPS = 12;

    /** The fake model (half a second per step), counting its forward steps. */
    static LocalBackend counting(AtomicInteger steps) {
        return FakeBackends.observed(2, 4096, 500, 4, steps::incrementAndGet);
    }

    @Test
    void aClientGoneDuringPrefillIsCancelledBeforeAnyToken() throws Exception {
        for (String path : new String[] {"/v1/chat/completions", "/v1/completions"}) {
            AtomicInteger steps = new AtomicInteger();
            LocalBackend backend = counting(steps);
            try (TestServer server = new TestServer(backend)) {
                String prompt = "x".repeat(3000);  // 3000 byte tokens: 12 steps of 256
                String body = path.contains("chat")
                        ? "{\"model\": \"" + FakeBackends.MODEL + "\", \"stream\": true, \"max_tokens\": 4, "
                                + "\"messages\": [{\"role\": \"user\", \"content\": \"" + prompt + "\"}]}"
                        : "{\"model\": \"" + FakeBackends.MODEL + "\", \"stream\": true, \"max_tokens\": 4, "
                                + "\"prompt\": \"" + prompt + "\"}";
                try (Socket socket = new Socket("127.0.0.1", server.server.port())) {
                    OutputStream out = socket.getOutputStream();
                    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                    out.write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                            + "Content-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(bytes);
                    out.flush();
                    InputStream in = socket.getInputStream();
                    StringBuilder seen = new StringBuilder();
                    while (!seen.toString().contains("\r\n\r\n")) {  // the response has started
                        int b = in.read();
                        assertThat(b).as(seen.toString()).isNotNegative();
                        seen.append((char) b);
                    }
                    assertThat(seen.toString()).startsWith("HTTP/1.1 200");
                }  // gone, long before the prompt is read
                long deadline = System.nanoTime() + 60_000_000_000L;
                while (backend.load(FakeBackends.MODEL).running() > 0 || backend.load(FakeBackends.MODEL).waiting() > 0) {
                    assertThat(System.nanoTime()).as("the sequence ended").isLessThan(deadline);
                    Thread.sleep(50);
                }
                assertThat(steps.get()).as(path + ": steps run for a client that was gone").isLessThan(PROMPT_STEPS);
            }
        }
    }
}
