package dev.hearth.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hearth pull} with no reachable Hub: says what it does, retries with reasons, fails naming the endpoint. */
class PullOfflineTest {
    static final String REPO = "bartowski/Qwen2.5-0.5B-Instruct-GGUF";

    @TempDir
    Path home;
    String out;
    String err;

    @BeforeEach
    void setUp() {
        System.setProperty("hearth.home", home.toString());
        System.setProperty("hearth.hf.backoffMillis", "10");  // the schedule's shape, not its real waits
    }

    @AfterEach
    void tearDown() {
        System.clearProperty("hearth.home");
        System.clearProperty("hearth.hf.endpoint");
        System.clearProperty("hearth.hf.backoffMillis");
        System.clearProperty("hearth.hf.resolveTimeoutMillis");
    }

    int pull(String endpoint) {
        System.setProperty("hearth.hf.endpoint", endpoint);
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            return Main.run("pull", "--plain", "qwen2.5:0.5b");
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
            out = o.toString(StandardCharsets.UTF_8);
            err = e.toString(StandardCharsets.UTF_8);
        }
    }

    void assertGaveUpNaming(String endpoint, String reason) {
        assertThat(err).startsWith("error: cannot reach the Hub at " + endpoint + " (HF_ENDPOINT) for " + REPO + ": ")
                .contains(reason).contains("Check the network, or set HF_ENDPOINT")
                .contains("'hearth import FILE NAME'").doesNotContain("\tat ");
        assertThat(err.lines()).hasSize(1);
    }

    @Test
    void aClosedPortIsRetriedWithTheReasonThenNamed() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String endpoint = "http://127.0.0.1:" + port;
        assertThat(pull(endpoint)).isEqualTo(1);
        assertThat(out).startsWith("resolving qwen2.5:0.5b: connecting to " + endpoint + " (HF_ENDPOINT) for " + REPO
                + "@main\n");
        for (int n = 1; n <= 5; n++) {
            assertThat(out).contains("retry " + n + " of 6 in ");
        }
        assertThat(out).contains(" ms for " + REPO + " file list: cannot reach 127.0.0.1:" + port + " (")
                .doesNotContain("retry 6 of 6");
        assertGaveUpNaming(endpoint, "gave up after 6 attempts");
    }

    @Test
    void aHubAnswering503IsRetriedThenNamed() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        server.start();
        try {
            String endpoint = "http://127.0.0.1:" + server.getAddress().getPort();
            assertThat(pull(endpoint)).isEqualTo(1);
            assertThat(out).contains("retry 1 of 6 in 10 ms for " + REPO + " file list: the Hub answered 503");
            assertGaveUpNaming(endpoint, "the Hub answered 503");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aHubThatNeverAnswersIsGivenUpOnAtTheResolveTimeout() throws Exception {
        System.setProperty("hearth.hf.resolveTimeoutMillis", "1500");
        List<Socket> held = new ArrayList<>();
        try (ServerSocket silent = new ServerSocket(0)) {
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        held.add(silent.accept());  // accepted, never answered
                    }
                } catch (java.io.IOException closed) {
                    // the test is over
                }
            });
            String endpoint = "http://127.0.0.1:" + silent.getLocalPort();
            assertThat(pull(endpoint)).isEqualTo(1);
            assertGaveUpNaming(endpoint, "no answer in time");
            acceptor.interrupt();
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }
}
