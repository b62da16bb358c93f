package dev.hearth.server.http;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Cuts connections that send a request too slowly: from the first byte of a request to the end of its headers a
 * client has {@code headerTimeout}, and a request body must arrive within {@code bodyTimeout} of the handler asking
 * for it ({@link #readBody}). Helidon runs each connection, and the handlers of its requests, on one virtual thread;
 * this listener sees that thread's socket reads, and interrupting a virtual thread blocked in a socket read closes
 * the socket. (Idle kept-alive connections are Helidon's idle timeout's job.)
 */
final class ConnectionGuard implements Http1ConnectionListener, AutoCloseable {
    private enum Phase { IDLE, HEADERS, REQUEST }

    /** One connection's state; written by its own thread, read by the watchdog. */
    private static final class Watch {
        volatile Phase phase = Phase.IDLE;
        volatile long deadlineNanos;
    }

    private final long headerTimeoutNanos;
    private final Duration bodyTimeout;
    private final Map<Thread, Watch> connections = new ConcurrentHashMap<>();
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "hearth-connection-guard");
        t.setDaemon(true);
        return t;
    });

    ConnectionGuard(ConnectionLimits limits) {
        this.headerTimeoutNanos = limits.headerTimeout().toNanos();
        this.bodyTimeout = limits.bodyTimeout();
        long periodMillis = Math.clamp(limits.headerTimeout().toMillis() / 4, 50, 1000);
        watchdog.scheduleWithFixedDelay(this::check, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void data(ConnectionContext ctx, BufferData data) {
        startHeaders();
    }

    @Override
    public void data(ConnectionContext ctx, byte[] bytes, int offset, int length) {
        startHeaders();
    }

    @Override
    public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
        startHeaders();  // a pipelined request read from buffered bytes starts here
    }

    @Override
    public void headers(ConnectionContext ctx, Headers headers) {
        watch().phase = Phase.REQUEST;
    }

    /** The request on this thread's connection is answered: the next byte starts a new header deadline. */
    void requestDone() {
        Watch watch = connections.get(Thread.currentThread());
        if (watch != null) {
            watch.phase = Phase.IDLE;
        }
    }

    /** Runs {@code read} (a body read on a connection thread), cutting the connection if it outlasts the body timeout. */
    <T> T readBody(BodyRead<T> read) throws java.io.IOException {
        Thread thread = Thread.currentThread();
        boolean[] fired = {false};
        ScheduledFuture<?> cut = watchdog.schedule(() -> {
            synchronized (fired) {
                fired[0] = true;
                thread.interrupt();
            }
        }, bodyTimeout.toNanos(), TimeUnit.NANOSECONDS);
        try {
            return read.read();
        } catch (java.io.IOException | RuntimeException e) {
            synchronized (fired) {
                if (fired[0]) {  // the socket is closed: there is no one left to answer
                    throw new CloseConnectionException("the request body did not arrive within "
                            + bodyTimeout.toMillis() + " ms", e);
                }
            }
            throw e;
        } finally {
            cut.cancel(false);
            synchronized (fired) {
                if (fired[0]) {
                    Thread.interrupted();  // the flag must not leak into the next request on this thread
                }
            }
        }
    }

    /** A body read that may throw. */
    @FunctionalInterface
    interface BodyRead<T> {
        T read() throws java.io.IOException;
    }

    private void startHeaders() {
        Watch watch = watch();
        if (watch.phase == Phase.IDLE) {
            watch.deadlineNanos = System.nanoTime() + headerTimeoutNanos;
            watch.phase = Phase.HEADERS;
        }
    }

    private Watch watch() {
        return connections.computeIfAbsent(Thread.currentThread(), t -> new Watch());
    }

    private void check() {
        long now = System.nanoTime();
        connections.forEach((thread, watch) -> {
            if (!thread.isAlive()) {
                connections.remove(thread);
            } else if (watch.phase == Phase.HEADERS && now - watch.deadlineNanos > 0) {
                watch.phase = Phase.IDLE;
                thread.interrupt();  // closes the socket the thread is blocked reading
            }
        });
    }

    /** Connections known to the guard (tests). */
    int tracked() {
        return connections.size();
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
    }
}
