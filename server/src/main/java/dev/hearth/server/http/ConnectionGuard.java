package dev.hearth.server.http;

import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Cuts connections that send a request too slowly or sit idle: from the first byte of a request to the end of its
 * headers a client has {@code headerTimeout}, however steadily the bytes trickle in; a request body must arrive
 * within {@code bodyTimeout} of the handler asking for it ({@link #readBody}); and a connection with no request in
 * flight is closed after {@code idleTimeout} (counted from its opening, or from the end of its last request: never
 * while a request runs, however long). Helidon runs each connection, and the handlers of its requests, on one virtual
 * thread, made in {@link WatchedConnections} before the connection's first read; that reader tells the guard when
 * bytes arrive ({@link #arrived}), and this listener when the request line and the headers are complete.
 * Interrupting a virtual thread blocked in a socket read closes the socket. (Helidon's own idle timeout counts from
 * the start of the last request, so it closed the connection of any request longer than the timeout once answered;
 * it is off.)
 */
final class ConnectionGuard implements Http1ConnectionListener, AutoCloseable {
    private enum Phase { IDLE, HEADERS, REQUEST }

    /** One connection's state; written by its own thread, read by the watchdog. */
    static final class Watch {
        volatile Phase phase = Phase.IDLE;
        /** IDLE: when the idle connection is closed; HEADERS: when its headers must be in; REQUEST: unused. */
        volatile long deadlineNanos;
    }

    private final long headerTimeoutNanos;
    private final long idleTimeoutNanos;
    private final Duration bodyTimeout;
    private final Map<Thread, Watch> connections = new ConcurrentHashMap<>();
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "hearth-connection-guard");
        t.setDaemon(true);
        return t;
    });

    ConnectionGuard(ConnectionLimits limits) {
        this.headerTimeoutNanos = limits.headerTimeout().toNanos();
        this.idleTimeoutNanos = limits.idleTimeout().toNanos();
        this.bodyTimeout = limits.bodyTimeout();
        long periodMillis = Math.clamp(Math.min(limits.headerTimeout().toMillis(), limits.idleTimeout().toMillis()) / 4,
                50, 1000);
        watchdog.scheduleWithFixedDelay(this::check, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    /** A connection opens on the calling thread, before its first read: its idle time starts. */
    Watch opened() {
        Watch watch = new Watch();
        watch.deadlineNanos = System.nanoTime() + idleTimeoutNanos;
        connections.put(Thread.currentThread(), watch);
        return watch;
    }

    /** Bytes arrived on {@code watch}'s connection: on an idle connection, the first of a request. */
    void arrived(Watch watch) {
        startHeaders(watch);
    }

    @Override
    public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
        startHeaders(watch());  // a pipelined request read from buffered bytes starts here
    }

    @Override
    public void headers(ConnectionContext ctx, Headers headers) {
        Watch watch = watch();
        if (watch != null) {
            watch.phase = Phase.REQUEST;
        }
    }

    /** The request on this thread's connection is answered: its idle time starts; its next byte, a header deadline. */
    void requestDone() {
        Watch watch = watch();
        if (watch != null) {
            watch.deadlineNanos = System.nanoTime() + idleTimeoutNanos;
            watch.phase = Phase.IDLE;
        }
    }

    /** Runs {@code read} (a body read on a connection thread), cutting the connection if it outlasts the body timeout. */
    <T> T readBody(BodyRead<T> read) throws IOException {
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
        } catch (IOException | RuntimeException e) {
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
        T read() throws IOException;
    }

    private void startHeaders(Watch watch) {
        if (watch != null && watch.phase == Phase.IDLE) {
            // the deadline before the phase: the watchdog never sees a phase with the previous phase's deadline
            watch.deadlineNanos = System.nanoTime() + headerTimeoutNanos;
            watch.phase = Phase.HEADERS;
        }
    }

    /** The calling connection thread's watch; null on a connection not opened through {@link WatchedConnections}. */
    private Watch watch() {
        return connections.get(Thread.currentThread());
    }

    private void check() {
        long now = System.nanoTime();
        connections.forEach((thread, watch) -> {
            if (!thread.isAlive()) {
                connections.remove(thread);
                return;
            }
            Phase phase = watch.phase;
            if (phase != Phase.REQUEST && now - watch.deadlineNanos > 0 && watch.phase == phase) {
                watch.phase = Phase.REQUEST;  // cut once
                thread.interrupt();  // closes the socket the thread is blocked reading
            }
        });
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
    }
}
