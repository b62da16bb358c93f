package dev.hearth.server.cli;

import dev.hearth.device.ProcessExit;
import dev.hearth.server.agents.AgentGate;
import dev.hearth.server.http.HearthServer;
import dev.hearth.server.backend.GenerationFailedException;
import dev.hearth.server.local.LocalBackend;
import dev.hearth.server.route.Router;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;

/**
 * How {@code hearth serve} ends: on SIGTERM or SIGINT it drains (health 503, no new requests, the requests in flight
 * get the grace period, the rest end with an error event), closes the models, flushes the usage ledger, and the
 * process exits 0. The signals are handled here rather than by the JVM's default (exit 143 after the shutdown hooks),
 * and a shutdown hook still closes everything if the JVM ends another way.
 */
final class ServerShutdown implements Runnable {
    private final HearthServer server;
    private final Router router;
    private final LocalBackend backend;
    private final AgentGate agents;
    private final Duration grace;
    private final CountDownLatch signalled = new CountDownLatch(1);
    private final AtomicBoolean done = new AtomicBoolean();

    ServerShutdown(HearthServer server, Router router, LocalBackend backend, AgentGate agents, Duration grace) {
        this.server = server;
        this.router = router;
        this.backend = backend;
        this.agents = agents;
        this.grace = grace;
    }

    /** Catches SIGTERM and SIGINT (a second one while draining is ignored: the grace bounds the wait). */
    void onSignals() {
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), signal -> signalled.countDown());
        }
        // through ProcessExit: a device's quick exit (NVIDIA) comes only after this drain and ledger flush
        ProcessExit.addShutdownHook("hearth-shutdown-hook", () -> stop(Duration.ZERO));
    }

    void awaitSignal() throws InterruptedException {
        signalled.await();
    }

    @Override
    public void run() {
        stop(grace);
    }

    private void stop(Duration allowed) {
        if (!done.compareAndSet(false, true)) {
            return;
        }
        System.err.printf("hearth draining: requests in flight have %d s to finish%n", allowed.toSeconds());
        try {
            int cut = server.drain(allowed, () -> {
                backend.abortAll(GenerationFailedException.SHUTTING_DOWN);
                router.stopRelays(GenerationFailedException.SHUTTING_DOWN);  // remote streams end the same way
            });
            if (cut > 0) {
                System.err.printf("hearth: %d request(s) still running after the grace period were ended%n", cut);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            router.close();
            backend.close();
            if (agents != null) {
                agents.close();  // writes the ledger rows still queued
            }
            System.err.println("hearth stopped");
        }
    }
}
