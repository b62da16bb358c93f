package dev.hearth.server.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A plain socket to the server, for what an HTTP client library would not send. */
final class RawConnection implements AutoCloseable {
    final Socket socket;

    RawConnection(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
    }

    void send(String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
    }

    /** What the server sent until it closed the connection; fails if it is still open after {@code waitMillis}. */
    String readUntilClosed(int waitMillis) throws IOException {
        socket.setSoTimeout(waitMillis);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server kept the connection open " + waitMillis + " ms; it sent: "
                    + out.toString(StandardCharsets.ISO_8859_1));
        } catch (SocketException e) {
            // reset by the server: closed as well
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    /** What arrives within {@code waitMillis}, the connection staying open. */
    String readFor(int waitMillis) throws IOException {
        socket.setSoTimeout(waitMillis);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = socket.getInputStream().read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
            }
            throw new AssertionError("the server closed the connection; it sent: "
                    + out.toString(StandardCharsets.ISO_8859_1));
        } catch (SocketTimeoutException e) {
            return out.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /**
     * One whole response (its headers, then a body of its {@code Content-Length} or chunks up to the last), the
     * connection staying open; fails if it has not all arrived within {@code waitMillis}.
     */
    String readResponse(int waitMillis) throws IOException {
        socket.setSoTimeout(waitMillis);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        long deadline = System.currentTimeMillis() + waitMillis;
        try {
            while (!complete(out.toString(StandardCharsets.ISO_8859_1))) {
                int b = in.read();
                if (b < 0) {
                    throw new AssertionError("the server closed the connection mid-response; it sent: "
                            + out.toString(StandardCharsets.ISO_8859_1));
                }
                out.write(b);
                if (System.currentTimeMillis() > deadline) {
                    throw new SocketTimeoutException();
                }
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no whole response within " + waitMillis + " ms; it sent: "
                    + out.toString(StandardCharsets.ISO_8859_1));
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    /** Whether the server closes the connection within {@code waitMillis} (what it sends meanwhile is dropped). */
    boolean closedWithin(int waitMillis) throws IOException {
        socket.setSoTimeout(waitMillis);
        byte[] buffer = new byte[8192];
        try {
            while (socket.getInputStream().read(buffer) >= 0) {
                // an answer before the close: read on
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true;  // reset by the server
        }
    }

    private static final java.util.regex.Pattern CONTENT_LENGTH =
            java.util.regex.Pattern.compile("\r\ncontent-length: *(\\d+)");

    private static boolean complete(String text) {
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            return false;
        }
        String headers = text.substring(0, end).toLowerCase(java.util.Locale.ROOT);
        java.util.regex.Matcher length = CONTENT_LENGTH.matcher(headers);
        if (length.find()) {
            return text.length() - end - 4 >= Integer.parseInt(length.group(1));
        }
        return !headers.contains("transfer-encoding: chunked") || text.endsWith("\r\n0\r\n\r\n");
    }

    /** How many HTTP responses the text holds. */
    static int responses(String text) {
        int count = 0;
        for (int i = text.indexOf("HTTP/1.1 "); i >= 0; i = text.indexOf("HTTP/1.1 ", i + 1)) {
            count++;
        }
        return count;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
