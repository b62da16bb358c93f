package dev.hearth.engine;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The caller's side of one generation: a queue of events ending with {@link GenerationEvent.Done}, and cancel. */
public final class GenerationHandle {
    private final BlockingQueue<GenerationEvent> events = new LinkedBlockingQueue<>();
    private volatile boolean cancelled;

    /** Asks the engine to stop this generation; it frees the sequence within one step and reports CANCELLED. */
    public void cancel() {
        cancelled = true;
    }

    public boolean isCancelled() {
        return cancelled;
    }

    /** The next event, waiting as long as needed. */
    public GenerationEvent take() throws InterruptedException {
        return events.take();
    }

    /** The next event, or null after the timeout. */
    public GenerationEvent poll(long timeout, TimeUnit unit) throws InterruptedException {
        return events.poll(timeout, unit);
    }

    /** Waits for the end and returns it, discarding token events. */
    public GenerationEvent.Done awaitDone() throws InterruptedException {
        while (true) {
            if (take() instanceof GenerationEvent.Done done) {
                return done;
            }
        }
    }

    void publish(GenerationEvent event) {
        events.add(event);
    }
}
