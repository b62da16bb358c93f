package dev.hearth.server.http.api;

import dev.hearth.engine.FinishReason;
import dev.hearth.engine.GenerationEvent;
import dev.hearth.server.agents.AgentCall;
import dev.hearth.engine.GenerationHandle;
import dev.hearth.server.metrics.ServerMetrics;
import dev.hearth.server.backend.Generation;
import dev.hearth.server.backend.GenerationFailedException;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The events of every choice of one generation as one ordered stream, tagged with the choice index, ending after
 * each choice's {@link GenerationEvent.Done}. Records token metrics as events pass, and each finished choice in the
 * request's {@link AgentCall} (when there is one). With several choices, one virtual thread per choice forwards its
 * events.
 */
public final class ChoiceEvents {
    /** One event of choice {@code index}. */
    public record Event(int index, GenerationEvent event) {}

    private final Generation generation;
    private final ServerMetrics metrics;
    private final AgentCall call;
    private final DistributionDataPoint interToken;
    private final long[] lastTokenNanos;
    private final BlockingQueue<Event> merged;
    private int open;

    /** @param call the request's agent call, or null */
    public ChoiceEvents(Generation generation, ServerMetrics metrics, AgentCall call) {
        this.generation = generation;
        this.metrics = metrics;
        this.call = call;
        this.interToken = metrics.interTokenLatency(generation.model());
        List<GenerationHandle> handles = generation.handles();
        this.lastTokenNanos = new long[handles.size()];
        this.open = handles.size();
        if (handles.size() == 1) {
            merged = null;
        } else {
            merged = new LinkedBlockingQueue<>();
            for (int i = 0; i < handles.size(); i++) {
                int index = i;
                GenerationHandle handle = handles.get(i);
                Thread.ofVirtual().name("hearth-choice-" + i).start(() -> forward(index, handle));
            }
        }
    }

    private void forward(int index, GenerationHandle handle) {
        try {
            GenerationEvent e;
            do {
                e = handle.take();
                merged.add(new Event(index, e));
            } while (!(e instanceof GenerationEvent.Done));
        } catch (InterruptedException ignored) {
            Thread.currentThread().interrupt();
        }
    }

    /** A single-choice generation read to its end: its text and its {@link GenerationEvent.Done}. */
    public record Whole(String text, GenerationEvent.Done done) {}

    /**
     * Reads a single-choice generation to its end, for an answer that is not streamed. A generation that ended in
     * error is a {@link GenerationFailedException}.
     */
    public Whole whole() throws InterruptedException {
        StringBuilder text = new StringBuilder();
        GenerationEvent.Done done = null;
        for (Event e; (e = next()) != null; ) {
            switch (e.event()) {
                case GenerationEvent.Token t -> text.append(t.text());
                case GenerationEvent.Done d -> {
                    if (d.reason() == FinishReason.ERROR) {
                        throw new GenerationFailedException(d.error());
                    }
                    done = d;
                }
            }
        }
        return new Whole(text.toString(), done);
    }

    public int choices() {
        return lastTokenNanos.length;
    }

    /** The next event, or null once every choice is done. */
    public Event next() throws InterruptedException {
        return next(-1);
    }

    /**
     * The next event, or null once every choice is done. While none comes (a long prompt being read, a slow step),
     * writes a heartbeat to {@code out} every {@link #HEARTBEAT_MILLIS}: the socket is not read while a handler
     * runs, so a failed write is the only sign that the client went away; it throws
     * {@link StreamWriter.ClientGoneException} within two heartbeats, and the caller cancels.
     */
    public Event next(StreamWriter out) throws InterruptedException {
        while (true) {
            Event event = next(HEARTBEAT_MILLIS);
            if (event != IDLE) {
                return event;
            }
            out.heartbeat();
        }
    }

    /** How long {@link #next(StreamWriter)} waits for an event before it writes a heartbeat. */
    public static final long HEARTBEAT_MILLIS = 200;
    private static final Event IDLE = new Event(-1, null);

    /** The next event; null once every choice is done; {@link #IDLE} when none came within the timeout (>= 0). */
    private Event next(long timeoutMillis) throws InterruptedException {
        if (open == 0) {
            return null;
        }
        Event event;
        if (timeoutMillis < 0) {
            event = merged == null ? new Event(0, generation.handles().getFirst().take()) : merged.take();
        } else if (merged == null) {
            GenerationEvent e = generation.handles().getFirst().poll(timeoutMillis,
                    java.util.concurrent.TimeUnit.MILLISECONDS);
            event = e == null ? IDLE : new Event(0, e);
        } else {
            Event e = merged.poll(timeoutMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
            event = e == null ? IDLE : e;
        }
        if (event == IDLE) {
            return IDLE;
        }
        switch (event.event()) {
            case GenerationEvent.Token t when t.tokenId() >= 0 -> {
                long now = System.nanoTime();
                long last = lastTokenNanos[event.index()];
                if (last != 0) {
                    interToken.observe((now - last) / 1e9);
                }
                lastTokenNanos[event.index()] = now;
            }
            case GenerationEvent.Token t -> { }
            case GenerationEvent.Done d -> {
                open--;
                if (call != null) {
                    call.generationDone(generation.model(), d);
                }
                metrics.generation(generation.model(), d.promptTokens(), d.generatedTokens(),
                        d.generatedTokens() > 0 ? d.timeToFirstTokenNanos() / 1e9 : -1);
            }
        }
        return event;
    }

    /** Cancels every choice that is still running (the client went away). */
    public void cancel() {
        generation.cancel();
    }
}
