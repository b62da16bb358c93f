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
