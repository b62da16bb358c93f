package dev.hearth.server.upstream;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.function.Consumer;

/**
 * The body of one {@link Http1Client} response (fixed length, chunked, or up to the close), read on the calling
 * thread against deadlines. At its end the connection goes back to the client's pool (when the server keeps it
 * alive); {@link #cancel} drops it mid-body; {@link #release} gives it back once the rest has been read.
 */
final class Http1Body {
    static final long CHUNKED = -1;
    static final long UNTIL_CLOSE = -2;

    private final Http1Connection connection;
    /** The client's pool, taking the connection back at the body's end; null: close it. */
    private final Consumer<Http1Connection> giveBack;
    private final long length;
    private long remaining;
    private long chunkLeft;
    private boolean inChunk;
    private boolean ended;
    private Runnable beforeWait;

    /**
     * @param giveBack where the connection goes back at the end (the client's pool: a callback, so that the body
     *     does not depend back on the client); null: close it
     */
    Http1Body(Http1Connection connection, long length, Consumer<Http1Connection> giveBack) {
        this.connection = connection;
        this.length = length;
        this.remaining = length;
        this.giveBack = giveBack;
    }

    /** Runs before a read that would wait for the network (a relay flushes what it holds back then). */
    void beforeWait(Runnable r) {
        this.beforeWait = r;
    }

    /**
     * The next bytes, or null at the end of the body. Throws {@link UpstreamException} of kind TIMEOUT past
     * {@code deadlineNanos} (the connection is then closed) and {@link IOException} when the connection failed.
     */
    byte[] next(long deadlineNanos) throws IOException {
        if (ended) {
            return null;
        }
        try {
            byte[] b = read(deadlineNanos);
            if (b == null) {
                end();
            }
            return b;
        } catch (SocketTimeoutException e) {
            cancel();
            throw UpstreamException.of(UpstreamException.Kind.TIMEOUT, "no data from the upstream in time");
        } catch (IOException | RuntimeException e) {
            cancel();
            throw e;
        }
    }

    private byte[] read(long deadlineNanos) throws IOException {
        if (length >= 0) {
            if (remaining == 0) {
                return null;
            }
            if (!connection.fill(deadlineNanos, beforeWait)) {
                throw new IOException("the connection closed " + remaining + " bytes before the body's end");
            }
            byte[] b = connection.take((int) Math.min(remaining, Integer.MAX_VALUE));
            remaining -= b.length;
            return b;
        }
        if (length == UNTIL_CLOSE) {
            return connection.fill(deadlineNanos, beforeWait) ? connection.take(Integer.MAX_VALUE) : null;
        }
        if (chunkLeft == 0) {
            if (inChunk) {
                connection.fill(deadlineNanos, beforeWait);
                if (!connection.readLine(deadlineNanos, 2, false).isEmpty()) {
                    throw new IOException("a chunk of the body does not end with CRLF");
                }
                inChunk = false;
            }
            connection.fill(deadlineNanos, beforeWait);
            String sizeLine = connection.readLine(deadlineNanos, 1024, false);
            int semicolon = sizeLine.indexOf(';');
            try {
                chunkLeft = Long.parseLong((semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).trim(), 16);
            } catch (NumberFormatException e) {
                throw new IOException("bad chunk size line: " + UpstreamException.abbreviate(sizeLine));
            }
            if (chunkLeft == 0) {
                while (!connection.readLine(deadlineNanos, 8192, false).isEmpty()) {
                    // trailers, ignored
                }
                return null;
            }
            inChunk = true;
        }
        if (!connection.fill(deadlineNanos, beforeWait)) {
            throw new IOException("the connection closed in the middle of a chunk");
        }
        byte[] b = connection.take((int) Math.min(chunkLeft, Integer.MAX_VALUE));
        chunkLeft -= b.length;
        return b;
    }

    private void end() {
        ended = true;
        if (giveBack != null) {
            giveBack.accept(connection);
        } else {
            connection.close();
        }
    }

    /** Whether the whole body has been read. */
    boolean ended() {
        return ended;
    }

    /** Drops the connection (the exchange is aborted) unless the body was read to its end. */
    void cancel() {
        if (!ended) {
            ended = true;
            connection.close();
        }
    }

    /** Closes the connection from another thread: a read waiting on it fails at once (the exchange is aborted). */
    void abort() {
        connection.close();
    }

    /**
     * Done with the body: the connection goes back to the pool once the rest of it is read (on a virtual thread,
     * within a second, when it has not all arrived yet), else it is closed.
     */
    void release() {
        if (ended) {
            return;
        }
        if (length >= 0 && remaining == 0 || giveBack == null) {
            if (length >= 0 && remaining == 0) {
                end();
            } else {
                cancel();
            }
            return;
        }
        beforeWait = null;
        long deadline = System.nanoTime() + 1_000_000_000L;
        Thread.ofVirtual().name("hearth-upstream-drain").start(() -> {
            try {
                while (next(deadline) != null) {
                    // the rest of a body nobody reads
                }
            } catch (IOException | RuntimeException e) {
                cancel();
            }
        });
    }
}
