package dev.hearth.server.route;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * An OpenAI-compatible upstream on a loopback socket that misbehaves on cue: each request (counted from 0) gets
 * the {@link Behaviour} {@code script} names. It speaks just enough HTTP/1.1 (one request per connection, chunked
 * streams) to answer 500, 429 with Retry-After, hang, reset the connection, stream garbage, or stop or stall a stream
 * midway.
 */
final class FakeUpstream implements AutoCloseable {
    enum Behaviour { OK, ERROR_500, TOO_MANY_429, HANG, RESET, GARBAGE, STOP_MIDWAY, STALL_MIDWAY }

    /** The chunks of a good answer; the relayed content is their concatenation. */
    static final List<String> WORDS = List.of("Hello", " from", " the", " cloud");

    private final ServerSocket socket;
    private final IntFunction<Behaviour> script;
    private final AtomicInteger served = new AtomicInteger();
    final List<String> bodies = new CopyOnWriteArrayList<>();
    final List<Long> arrivals = new CopyOnWriteArrayList<>();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    volatile int retryAfterSeconds = 1;

    FakeUpstream(IntFunction<Behaviour> script) throws IOException {
        this.script = script;
        this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = Thread.ofVirtual().start(this::accept);
    }

    String url() {
        return "http://127.0.0.1:" + socket.getLocalPort() + "/v1";
    }

    int requests() {
        return bodies.size();
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket s = socket.accept();
                open.add(s);
                Thread.ofVirtual().start(() -> serve(s));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            String head = readHead(in);
            if (head == null) {
                return;
            }
            int length = 0;
            for (String line : head.split("\r\n")) {
                if (line.toLowerCase().startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            String path = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
            OutputStream out = s.getOutputStream();
            if (head.startsWith("GET")) {
                out.write(("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
                        .getBytes(StandardCharsets.US_ASCII));
                return;
            }
            String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
            arrivals.add(System.nanoTime());
            bodies.add(body);
            Behaviour b = script.apply(served.getAndIncrement());
            boolean stream = body.contains("\"stream\":true");
            switch (b) {
                case OK -> {
                    if (stream) {
                        streamHead(out);
                        for (String w : WORDS) {
                            chunk(out, event("{\"id\":\"up\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
                                    + "\"delta\":{\"content\":\"" + w + "\"},\"finish_reason\":null}]}"));
                        }
                        chunk(out, event("{\"id\":\"up\",\"object\":\"chat.completion.chunk\",\"choices\":[],"
                                + "\"usage\":{\"prompt_tokens\":1000,\"completion_tokens\":2000,\"total_tokens\":3000}}"));
                        chunk(out, event("[DONE]"));
                        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    } else {
                        String json = "{\"id\":\"up\",\"object\":\"chat.completion\",\"model\":\"up\",\"choices\":[{"
                                + "\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + String.join("", WORDS)
                                + "\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1000,"
                                + "\"completion_tokens\":2000,\"total_tokens\":3000}}";
                        respond(out, 200, "", json);
                    }
                }
                case ERROR_500 -> respond(out, 500, "", "{\"error\":{\"message\":\"upstream exploded\"}}");
                case TOO_MANY_429 -> respond(out, 429, "Retry-After: " + retryAfterSeconds + "\r\n",
                        "{\"error\":{\"message\":\"slow down\"}}");
                case HANG -> Thread.sleep(10_000); // bounded: the test's timeouts are far shorter
                case RESET -> {
                    s.setSoLinger(true, 0);
                    s.close();
                }
                case GARBAGE -> {
                    streamHead(out);
                    chunk(out, "this is not an event stream\n\n");
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                case STALL_MIDWAY -> {  // one chunk, then nothing for 10 s (bounded: the tests end it sooner)
                    streamHead(out);
                    chunk(out, event("{\"id\":\"up\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"}}]}"));
                    Thread.sleep(10_000);
                }
                case STOP_MIDWAY -> {
                    streamHead(out);
                    chunk(out, event("{\"id\":\"up\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"}}]}"));
                    chunk(out, event("{\"id\":\"up\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" from\"}}]}"));
                    Thread.sleep(50);
                    s.setSoLinger(true, 0);
                    s.close();
                }
            }
        } catch (IOException | InterruptedException ignored) {
            // the client went away, or we closed
        }
    }

    private static String event(String data) {
        return "data: " + data + "\n\n";
    }

    private static void streamHead(OutputStream out) throws IOException {
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n"
                + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static void chunk(OutputStream out, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        out.write((Integer.toHexString(b.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(b);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static void respond(OutputStream out, int status, String headers, String json) throws IOException {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.1 " + status + " X\r\nContent-Type: application/json\r\nContent-Length: " + b.length
                + "\r\n" + headers + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(b);
        out.flush();
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        for (int c; (c = in.read()) >= 0; ) {
            head.write(c);
            matched = (c == '\r' || c == '\n') ? (c == "\r\n\r\n".charAt(matched) ? matched + 1 : 0) : 0;
            if (matched == 4) {
                return head.toString(StandardCharsets.US_ASCII);
            }
            if (head.size() > 65536) {
                return null;
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        socket.close();
        for (Socket s : open) {
            try {
                s.close();
            } catch (SocketException ignored) {
                // already closed
            }
        }
        acceptor.interrupt();
    }
}
