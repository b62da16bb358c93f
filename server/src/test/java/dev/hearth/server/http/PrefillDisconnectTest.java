package dev.hearth.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.engine.Engine;
import dev.hearth.engine.EngineOptions;
import dev.hearth.engine.ModelRunner;
import dev.hearth.engine.StepBatch;
import dev.hearth.kv.BlockAllocator;
import dev.hearth.server.route.FakeBackends;
import dev.hearth.server.route.FakeRunner;
import dev.hearth.server.route.FakeText;
import dev.hearth.server.route.LoadedModel;
import dev.hearth.server.route.LocalBackend;
import dev.hearth.server.route.ModelInfo;
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

    /** The fake model, counting its forward steps. */
    static LocalBackend counting(AtomicInteger steps) {
        FakeRunner runner = new FakeRunner(2, 4096, 256, 500);
        ModelRunner counted = new ModelRunner() {
            @Override
            public int vocabularySize() {
                return runner.vocabularySize();
            }

            @Override
            public int maxSequences() {
                return runner.maxSequences();
            }

            @Override
            public int contextLength() {
                return runner.contextLength();
            }

            @Override
            public int maxBatchTokens() {
                return runner.maxBatchTokens();
            }

            @Override
            public BlockAllocator kvBlocks() {
                return runner.kvBlocks();
            }

            @Override
            public void forward(StepBatch plan, float[] logits) {
                steps.incrementAndGet();
                runner.forward(plan, logits);
            }

            @Override
            public void releaseSlot(int slot) {
                runner.releaseSlot(slot);
            }
        };
        LocalBackend backend = new LocalBackend();
        backend.add(new LoadedModel(new ModelInfo(FakeBackends.MODEL, "/models/fake.gguf", 1234, "llama", "Q4_0",
                15_000_000, 4096, 1_700_000_000L, 42), new FakeText(), new Engine(counted,
                new EngineOptions(FakeBackends.MODEL, 4))));
        return backend;
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
