package dev.hearth.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.server.route.FakeBackends;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Raw-socket regressions: a request's unread body bytes never become a second request, {@code Connection: close}
 * closes, and slow or idle clients are cut by the header, body and idle timeouts.
 */
class ConnectionHardeningTest {
    static final String SMUGGLED = "GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n";  // 36 bytes
    static final ConnectionLimits LIMITS = new ConnectionLimits(Duration.ofMillis(800), Duration.ofMillis(800),
            Duration.ofMillis(1500), 64);
    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer(FakeBackends.create(2, 128, 8, 0),
                new ServerSettings("127.0.0.1", 0, null, 4096).withConnections(LIMITS));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    RawConnection connect() throws Exception {
        return new RawConnection(server.server.port());
    }

    @Test
    void unreadBodyWithConnectionCloseIsNotASecondRequest() throws Exception {
        try (RawConnection c = connect()) {
            c.send("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: " + SMUGGLED.length()
                    + "\r\n\r\n" + SMUGGLED);
            String answer = c.readUntilClosed(5000);
            assertThat(RawConnection.responses(answer)).as(answer).isEqualTo(1);
            assertThat(answer).contains("\"status\"").doesNotContain("\"object\":\"list\"");
        }
    }

    @Test
    void unreadBodyOfA404ClosesTheConnection() throws Exception {
        try (RawConnection c = connect()) {
            c.send("POST /nowhere HTTP/1.1\r\nHost: x\r\nContent-Length: " + SMUGGLED.length() + "\r\n\r\n"
                    + SMUGGLED);
            String answer = c.readUntilClosed(5000);
            assertThat(answer).startsWith("HTTP/1.1 404").contains("Connection: close");
            assertThat(RawConnection.responses(answer)).as(answer).isEqualTo(1);
        }
    }

    @Test
    void oversizedBodyIs413AndTheConnectionCloses() throws Exception {
        try (RawConnection c = connect()) {
            c.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100000\r\n\r\n" + SMUGGLED);
            String answer = c.readUntilClosed(5000);
            assertThat(answer).startsWith("HTTP/1.1 413").contains("Connection: close");
            assertThat(RawConnection.responses(answer)).as(answer).isEqualTo(1);
        }
    }

    @Test
    void lengthAndChunkedTogetherAreRefused() throws Exception {
        try (RawConnection c = connect()) {
            c.send("POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n"
                    + "\r\n0\r\n\r\n" + SMUGGLED);
            String answer = c.readUntilClosed(5000);
            assertThat(answer).startsWith("HTTP/1.1 400");  // Helidon refuses it before routing
            assertThat(RawConnection.responses(answer)).as(answer).isEqualTo(1);
        }
    }

    @Test
    void keptAliveConnectionsStillServeSeveralRequests() throws Exception {
        try (RawConnection c = connect()) {
            c.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n");
            String answer = c.readFor(400);
            assertThat(RawConnection.responses(answer)).as(answer).isEqualTo(2);
        }
    }

    @Test
    void connectionCloseWithoutBodyCloses() throws Exception {
        try (RawConnection c = connect()) {
            c.send("GET /v1/models HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertThat(RawConnection.responses(c.readUntilClosed(5000))).isEqualTo(1);
        }
    }

    @Test
    void halfSentHeadersAreCut() throws Exception {
        try (RawConnection c = connect()) {
            c.send("GET /health HTTP/1.1\r\nHost: x\r\n");
            assertThat(c.readUntilClosed(5000)).doesNotContain("200 OK");
        }
    }

    @Test
    void aRequestLineTrickledByteByByteIsCut() throws Exception {
        try (RawConnection c = connect()) {
            String line = "GET /health HTTP/1.1\r\n";
            try {
                for (int i = 0; i < line.length(); i++) {
                    c.send(line.substring(i, i + 1));
                    Thread.sleep(150);  // 3.3 s in all, past the 0.8 s header timeout
                }
            } catch (java.io.IOException e) {
                return;  // cut while sending
            }
            assertThat(c.readUntilClosed(5000)).doesNotContain("200 OK");
        }
    }

    @Test
    void aRequestLineStillTricklingIsCutAtTheHeaderTimeoutFromItsFirstByte() throws Exception {
        // a byte every 100 ms: never idle, yet the line would take 20 s; Helidon hears nothing before the line ends,
        // so only the guard's reader sees it start (before, the idle timeout cut it, or line end + header timeout)
        ConnectionLimits limits = LIMITS.withIdleTimeout(Duration.ofSeconds(6));
        String line = "GET /health?" + "x".repeat(180) + " HTTP/1.1\r\n";
        long margin = 1_200;
        try (TestServer patient = new TestServer(FakeBackends.create(2, 128, 8, 0),
                new ServerSettings("127.0.0.1", 0, null, 4096).withConnections(limits));
                RawConnection c = new RawConnection(patient.server.port())) {
            long first = System.nanoTime();
            long cutMillis = -1;
            for (int i = 0; i < line.length() && cutMillis < 0; i++) {
                try {
                    c.send(line.substring(i, i + 1));
                    if (c.closedWithin(100)) {
                        cutMillis = (System.nanoTime() - first) / 1_000_000;
                    }
                } catch (java.io.IOException e) {
                    cutMillis = (System.nanoTime() - first) / 1_000_000;  // reset by the server
                }
            }
            assertThat(cutMillis).as("cut after %d ms", cutMillis)
                    .isBetween(limits.headerTimeout().toMillis() - 100, limits.headerTimeout().toMillis() + margin);
        }
    }

    @Test
    void aBodyThatStopsArrivingIsCut() throws Exception {
        try (RawConnection c = connect()) {
            c.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 200\r\n\r\n{\"model\": ");
            assertThat(c.readUntilClosed(5000)).doesNotContain("200 OK");
        }
    }

    @Test
    void anIdleKeptAliveConnectionIsClosed() throws Exception {
        try (RawConnection c = connect()) {
            c.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
            String answer = c.readUntilClosed(8000);
            assertThat(RawConnection.responses(answer)).isEqualTo(1);
        }
    }

    @Test
    void aConnectionThatNeverSendsIsClosedAfterTheIdleTimeout() throws Exception {
        try (RawConnection c = connect()) {
            assertThat(c.readUntilClosed(8000)).isEmpty();
        }
    }

    @Test
    void aRequestLongerThanTheIdleTimeoutKeepsItsConnection() throws Exception {
        // 40 tokens at 100 ms a step: about 4 s in flight, past the 1.5 s idle timeout, which counts only between
        // requests (Helidon's own counts from the start of the last request and closed the connection after it)
        try (TestServer slow = new TestServer(FakeBackends.create(2, 128, 8, 100),
                new ServerSettings("127.0.0.1", 0, null, 4096).withConnections(LIMITS));
                RawConnection c = new RawConnection(slow.server.port())) {
            String body = "{\"model\": \"" + FakeBackends.MODEL + "\", \"max_tokens\": 40, \"messages\": "
                    + "[{\"role\": \"user\", \"content\": \"hi\"}]}";
            c.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body);
            String first = c.readResponse(20_000);
            assertThat(first).startsWith("HTTP/1.1 200").doesNotContainIgnoringCase("connection: close");
            c.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(c.readResponse(5000)).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void connectionsBeyondTheCapWaitForOneToClose() throws Exception {
        ConnectionLimits limits = new ConnectionLimits(Duration.ofSeconds(5), Duration.ofSeconds(5),
                Duration.ofMillis(1500), 2);
        try (TestServer capped = new TestServer(FakeBackends.create(2, 128, 8, 0),
                new ServerSettings("127.0.0.1", 0, null, 4096).withConnections(limits));
                RawConnection first = new RawConnection(capped.server.port());
                RawConnection second = new RawConnection(capped.server.port());
                RawConnection third = new RawConnection(capped.server.port())) {
            first.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
            second.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(RawConnection.responses(first.readFor(300) + second.readFor(300))).isEqualTo(2);
            third.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(third.readFor(300)).isEmpty();  // two connections are open: the third waits
            // the two idle ones are closed after the idle timeout; then the third is served
            assertThat(RawConnection.responses(third.readUntilClosed(8000))).isEqualTo(1);
        }
    }
}
