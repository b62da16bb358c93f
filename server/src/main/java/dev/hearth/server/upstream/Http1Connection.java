package dev.hearth.server.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;

/**
 * One HTTP/1.1 connection of {@link Http1Client}: the socket and a read buffer. Reads block the calling (virtual)
 * thread up to a deadline; single-threaded by contract (one exchange at a time, by whoever holds it).
 */
final class Http1Connection {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] buffer = new byte[16 << 10];
    private int pos;
    private int limit;
    private boolean readAny;
    private long idleSinceNanos;

    /** The server closed the connection before a byte of the response: the request was not answered. */
    static final class StaleException extends IOException {
        StaleException(String message) {
            super(message);
        }
    }

    Http1Connection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    void write(byte[] request) throws IOException {
        readAny = false;
        try {
            out.write(request);
            out.flush();
        } catch (SocketException e) {
            throw new StaleException("writing the request failed: " + e.getMessage());
        }
    }

    /** Bytes already read from the socket and not yet taken. */
    int buffered() {
        return limit - pos;
    }

    /** Fills the buffer when empty; false at the end of the stream. */
    boolean fill(long deadlineNanos) throws IOException {
        return fill(deadlineNanos, null);
    }

    /** As {@link #fill(long)}, running {@code beforeWait} first when the read would have to wait for the network. */
    boolean fill(long deadlineNanos, Runnable beforeWait) throws IOException {
        if (pos < limit) {
            return true;
        }
        if (beforeWait != null && in.available() == 0) {
            beforeWait.run();
        }
        socket.setSoTimeout(timeoutMillis(deadlineNanos));
        int n;
        try {
            n = in.read(buffer, 0, buffer.length);
        } catch (SocketException e) {
            if (!readAny) {
                throw new StaleException("the connection was reset: " + e.getMessage());
            }
            throw e;
        }
        if (n < 0) {
            if (!readAny) {
                throw new StaleException("the connection was closed");
            }
            return false;
        }
        readAny = true;
        pos = 0;
        limit = n;
        return true;
    }

    /** Takes up to {@code max} buffered bytes (call {@link #fill} first). */
    byte[] take(int max) {
        int n = Math.min(max, limit - pos);
        byte[] out = new byte[n];
        System.arraycopy(buffer, pos, out, 0, n);
        pos += n;
        return out;
    }

    void skip(int n) {
        pos += n;
    }

    /** One CRLF- (or LF-) terminated line without its terminator, at most {@code max} bytes. */
    String readLine(long deadlineNanos, int max, boolean first) throws IOException {
        StringBuilder line = new StringBuilder(64);
        while (true) {
            if (!fill(deadlineNanos)) {
                throw new IOException("the connection closed in the middle of a line");
            }
            while (pos < limit) {
                byte b = buffer[pos++];
                if (b == '\n') {
                    int len = line.length();
                    return len > 0 && line.charAt(len - 1) == '\r' ? line.substring(0, len - 1) : line.toString();
                }
                line.append((char) (b & 0xff));
                if (line.length() > max) {
                    throw new IOException("a response line longer than " + max + " bytes");
                }
            }
        }
    }

    /** Whether it can carry another request: open, and nothing unexpected waiting to be read. */
    boolean isOpen() {
        try {
            return !socket.isClosed() && !socket.isInputShutdown() && pos == limit && in.available() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    void markIdle() {
        idleSinceNanos = System.nanoTime();
    }

    long idleSinceNanos() {
        return idleSinceNanos;
    }

    void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** A socket timeout for what is left until {@code deadlineNanos}, at least 1 ms; throws once it has passed. */
    static int timeoutMillis(long deadlineNanos) throws SocketTimeoutException {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
            throw new SocketTimeoutException("deadline passed");
        }
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000));
    }
}
