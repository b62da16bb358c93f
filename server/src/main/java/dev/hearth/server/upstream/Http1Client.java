package dev.hearth.server.upstream;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A small blocking HTTP/1.1 client for one upstream origin ({@code http} or {@code https}), run on the caller's
 * (virtual) thread: the request is written and the response read by the thread that relays it, with no hand-off to
 * a selector or executor thread. Connections are kept alive and pooled (most recently used first); one found closed
 * by the server when reused is replaced by a fresh one once, before any response byte. Every read has a deadline.
 */
final class Http1Client implements AutoCloseable {
    private static final int MAX_IDLE = 64;
    private static final int MAX_HEAD = 64 << 10;
    private static final long IDLE_LIMIT_NANOS = Duration.ofSeconds(30).toNanos();

    private final String host;
    private final int port;
    private final boolean tls;
    private final String hostHeader;
    private final String basePath;
    private final int connectTimeoutMillis;
    private final ConcurrentLinkedDeque<Http1Connection> idle = new ConcurrentLinkedDeque<>();
    private volatile boolean closed;

    Http1Client(URI base, Duration connectTimeout) {
        String scheme = base.getScheme() == null ? "" : base.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("the upstream URL '" + base + "' must start with http:// or https://");
        }
        this.tls = scheme.equals("https");
        this.host = base.getHost();
        this.port = base.getPort() > 0 ? base.getPort() : tls ? 443 : 80;
        this.hostHeader = base.getPort() > 0 ? host + ":" + port : host;
        String path = base.getRawPath() == null ? "" : base.getRawPath();
        this.basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        this.connectTimeoutMillis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
    }

    /** A response whose head has been read; its body is read (and the connection given back) through {@link #body}. */
    record Response(int status, Map<String, String> headers, Http1Body body) {
        String header(String lowerCaseName) {
            return headers.get(lowerCaseName);
        }
    }

    /**
     * Sends one request ({@code path} under the base URL's path) and reads the response head by {@code deadlineNanos}.
     * Throws {@link SocketTimeoutException} past the deadline (the connection is closed), another
     * {@link IOException} when connecting or the exchange fails.
     */
    Response send(String method, String path, Map<String, String> headers, byte[] body, long deadlineNanos)
            throws IOException {
        byte[] request = encode(method, path, headers, body);
        Http1Connection c = pooled();
        if (c != null) {
            try {
                return exchange(c, request, method, deadlineNanos);
            } catch (Http1Connection.StaleException stale) {
                c.close(); // closed by the server while idle: nothing was read, so nothing was answered
            }
        }
        c = connect(deadlineNanos);
        try {
            return exchange(c, request, method, deadlineNanos);
        } catch (Http1Connection.StaleException e) {
            throw new IOException("the connection was closed before a response: " + e.getMessage(), e);
        }
    }

    private Response exchange(Http1Connection c, byte[] request, String method, long deadlineNanos)
            throws IOException {
        boolean ok = false;
        try {
            c.write(request);
            Response r = readHead(c, method, deadlineNanos);
            ok = true;
            return r;
        } finally {
            if (!ok) {
                c.close();
            }
        }
    }

    private Response readHead(Http1Connection c, String method, long deadlineNanos) throws IOException {
        while (true) {
            String statusLine = c.readLine(deadlineNanos, MAX_HEAD, true);
            if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
                throw new IOException("not an HTTP/1.x status line: "
                        + UpstreamException.abbreviate(statusLine));
            }
            int status;
            try {
                status = Integer.parseInt(statusLine.substring(9, 12));
            } catch (NumberFormatException e) {
                throw new IOException("bad status line: " + UpstreamException.abbreviate(statusLine));
            }
            Map<String, String> headers = new HashMap<>();
            int size = statusLine.length();
            for (String line; !(line = c.readLine(deadlineNanos, MAX_HEAD, false)).isEmpty(); ) {
                size += line.length();
                if (size > MAX_HEAD) {
                    throw new IOException("the response head is longer than " + MAX_HEAD + " bytes");
                }
                int colon = line.indexOf(':');
                if (colon > 0) {
                    String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                    String value = line.substring(colon + 1).trim();
                    headers.merge(name, value, (a, b) -> a + ", " + b);
                }
            }
            if (status >= 100 && status < 200) {
                continue; // 100 Continue and other interim answers
            }
            boolean keepAlive = statusLine.startsWith("HTTP/1.1")
                    && !headers.getOrDefault("connection", "").toLowerCase(Locale.ROOT).contains("close");
            long length;
            if (method.equals("HEAD") || status == 204 || status == 304) {
                length = 0;
            } else if (headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT).contains("chunked")) {
                length = Http1Body.CHUNKED;
            } else if (headers.containsKey("content-length")) {
                try {
                    length = Long.parseLong(headers.get("content-length"));
                } catch (NumberFormatException e) {
                    throw new IOException("bad Content-Length: " + headers.get("content-length"));
                }
            } else {
                length = Http1Body.UNTIL_CLOSE;
                keepAlive = false;
            }
            return new Response(status, headers, new Http1Body(c, length, keepAlive ? this::giveBack : null));
        }
    }

    private byte[] encode(String method, String path, Map<String, String> headers, byte[] body) {
        StringBuilder head = new StringBuilder(256).append(method).append(' ').append(basePath).append(path)
                .append(" HTTP/1.1\r\nHost: ").append(hostHeader).append("\r\n");
        headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        if (body != null) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        byte[] h = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        if (body == null || body.length == 0) {
            return h;
        }
        byte[] out = new byte[h.length + body.length];
        System.arraycopy(h, 0, out, 0, h.length);
        System.arraycopy(body, 0, out, h.length, body.length);
        return out;
    }

    private Http1Connection pooled() {
        long now = System.nanoTime();
        for (Http1Connection c; (c = idle.pollFirst()) != null; ) {
            if (now - c.idleSinceNanos() < IDLE_LIMIT_NANOS && c.isOpen()) {
                return c;
            }
            c.close();
        }
        return null;
    }

    private Http1Connection connect(long deadlineNanos) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
            try {
                socket.connect(new InetSocketAddress(host, port), connectTimeoutMillis);
            } catch (SocketTimeoutException e) {
                throw new ConnectException("connect timed out after " + connectTimeoutMillis + " ms");
            }
            if (tls) {
                SSLSocket ssl = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault())
                        .createSocket(socket, host, port, true);
                SSLParameters params = ssl.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS");
                ssl.setSSLParameters(params);
                ssl.setSoTimeout(Http1Connection.timeoutMillis(deadlineNanos));
                ssl.startHandshake();
                return new Http1Connection(ssl);
            }
            return new Http1Connection(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Takes back a connection whose response was read to its end. */
    void giveBack(Http1Connection c) {
        if (closed || idle.size() >= MAX_IDLE) {
            c.close();
            return;
        }
        c.markIdle();
        idle.offerFirst(c);
        if (closed) {
            c.close();
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Http1Connection c; (c = idle.pollFirst()) != null; ) {
            c.close();
        }
    }
}
