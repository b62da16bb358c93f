package dev.hearth.server.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The relay's HTTP/1.1 client against a hand-written server on loopback: fixed-length and chunked bodies, one kept
 * alive connection for many requests, a fresh one when the server closed the pooled one, deadlines.
 */
class Http1ClientTest {

    /** Answers each request on a connection with {@code answers} in turn (then closes it). */
    static final class Server implements AutoCloseable {
        final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final AtomicInteger connections = new AtomicInteger();
        final List<String> requests = new CopyOnWriteArrayList<>();

        Server(List<String> answers) throws IOException {
            Thread.ofVirtual().start(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket s = socket.accept();
                        connections.incrementAndGet();
                        Thread.ofVirtual().start(() -> serve(s, answers));
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
        }

        void serve(Socket s, List<String> answers) {
            try (s) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                for (String answer : answers) {
                    String head = head(in);
                    if (head == null) {
                        return;
                    }
                    int length = 0;
                    for (String line : head.split("\r\n")) {
                        if (line.toLowerCase().startsWith("content-length:")) {
                            length = Integer.parseInt(line.substring(15).trim());
                        }
                    }
                    requests.add(head + new String(in.readNBytes(length), StandardCharsets.UTF_8));
                    if (answer.equals("HANG")) {
                        Thread.sleep(5000);
                        return;
                    }
                    out.write(answer.getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    if (answer.contains("Connection: close")) {
                        return;
                    }
                }
            } catch (IOException | InterruptedException ignored) {
                // closed
            }
        }

        static String head(InputStream in) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (int c; (c = in.read()) >= 0; ) {
                b.write(c);
                if (b.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                    return b.toString(StandardCharsets.ISO_8859_1);
                }
            }
            return null;
        }

        URI base() {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/v1");
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    static final String FIXED = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
    static final String CHUNKED = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "3;ext=1\r\nabc\r\nA\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\n";

    static String read(Http1Body body) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] b; (b = body.next(System.nanoTime() + 2_000_000_000L)) != null; ) {
            out.write(b);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    static long soon() {
        return System.nanoTime() + 2_000_000_000L;
    }

    @Test
    void keepsOneConnectionAliveAcrossFixedAndChunkedBodies() throws Exception {
        try (Server server = new Server(List.of(FIXED, CHUNKED, FIXED));
                Http1Client client = new Http1Client(server.base(), Duration.ofSeconds(1))) {
            Http1Client.Response a = client.send("POST", "/chat/completions", Map.of("X-A", "1"),
                    "{}".getBytes(StandardCharsets.UTF_8), soon());
            assertThat(a.status()).isEqualTo(200);
            assertThat(read(a.body())).isEqualTo("hello");
            assertThat(read(client.send("POST", "/chat/completions", Map.of(), new byte[] {'1'}, soon()).body()))
                    .isEqualTo("abc0123456789");
            assertThat(read(client.send("GET", "/health", Map.of(), null, soon()).body())).isEqualTo("hello");
            assertThat(server.connections.get()).isEqualTo(1);
            assertThat(server.requests.get(0)).startsWith("POST /v1/chat/completions HTTP/1.1\r\n")
                    .contains("Host: 127.0.0.1:" + server.socket.getLocalPort() + "\r\n", "X-A: 1\r\n",
                            "Content-Length: 2\r\n").endsWith("\r\n\r\n{}");
            assertThat(server.requests.get(2)).startsWith("GET /v1/health HTTP/1.1\r\n");
        }
    }

    @Test
    void replacesAPooledConnectionTheServerClosed() throws Exception {
        // the server answers one request per connection and closes it without saying so
        try (Server server = new Server(List.of(FIXED));
                Http1Client client = new Http1Client(server.base(), Duration.ofSeconds(1))) {
            for (int i = 0; i < 3; i++) {
                assertThat(read(client.send("POST", "/x", Map.of(), new byte[0], soon()).body())).isEqualTo("hello");
                Thread.sleep(20);
            }
            assertThat(server.connections.get()).isEqualTo(3);
            assertThat(server.requests).hasSize(3); // each request was sent once
        }
    }

    @Test
    void aResponseWithoutLengthEndsAtTheCloseAndAHangHitsTheDeadline() throws Exception {
        try (Server server = new Server(List.of("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end", "HANG"));
                Http1Client client = new Http1Client(server.base(), Duration.ofSeconds(1))) {
            Http1Client.Response r = client.send("POST", "/x", Map.of(), new byte[0], soon());
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(read(r.body())).isEqualTo("until the end");
        }
        try (Server server = new Server(List.of("HANG"));
                Http1Client client = new Http1Client(server.base(), Duration.ofSeconds(1))) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> client.send("POST", "/x", Map.of(), new byte[0],
                    System.nanoTime() + 200_000_000L)).isInstanceOf(SocketTimeoutException.class);
            assertThat((System.nanoTime() - start) / 1e6).isBetween(150.0, 2000.0);
        }
    }
}
