package dev.hearth.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * A JVM error in a forward pass (the InternalError of a memory fault, also wrapped as a compute thread delivers it)
 * fails the engine: its sequences end with an error naming the model, and it refuses new ones. An ordinary exception
 * fails the running sequences only. {@link Engine#abort} ends everything in flight with the given reason.
 */
class EngineFaultTest {
    static final String FAULT = "a fault occurred in an unsafe memory access operation";

    /** A fake runner whose forward pass throws {@code failure} once {@code armed} is set. */
    static FakeRunner failing(RuntimeException[] runtime, Error[] error) {
        return new FakeRunner(500, 2, 256, 64) {
            @Override
            public void forward(StepBatch plan, float[] logits) {
                if (error[0] != null) {
                    throw error[0];
                }
                if (runtime[0] != null) {
                    throw runtime[0];
                }
                super.forward(plan, logits);
            }
        };
    }

    static GenerationEvent.Done done(GenerationHandle handle) throws InterruptedException {
        for (GenerationEvent e; ; ) {
            if ((e = handle.take()) instanceof GenerationEvent.Done d) {
                return d;
            }
        }
    }

    @Test
    void aMemoryFaultFailsTheModel() throws Exception {
        RuntimeException[] runtime = {null};
        Error[] error = {null};
        try (Engine engine = new Engine(failing(runtime, error), EngineOptions.defaults("m"))) {
            runtime[0] = new IllegalStateException("one bad request");
            GenerationEvent.Done first = done(engine.submit(GenerationRequest.greedyIds(new int[] {1, 2}, 5, Set.of())));
            assertThat(first.reason()).isEqualTo(FinishReason.ERROR);
            assertThat(engine.failure()).as("an ordinary exception does not fail the model").isEmpty();

            runtime[0] = null;
            error[0] = new InternalError(FAULT);
            GenerationHandle running = engine.submit(GenerationRequest.greedyIds(new int[] {1, 2}, 50, Set.of()));
            GenerationEvent.Done d = done(running);
            assertThat(d.reason()).isEqualTo(FinishReason.ERROR);
            assertThat(EngineFailedException.describesModelFailure(d.error())).as(d.error()).isTrue();
            assertThat(engine.failure()).contains(FAULT);
            assertThatThrownBy(() -> engine.submit(GenerationRequest.greedyIds(new int[] {1}, 5, Set.of())))
                    .isInstanceOf(EngineFailedException.class).hasMessageContaining("'m'").hasMessageContaining(FAULT);
        }
    }

    @Test
    void aWrappedFaultFromAComputeThreadCountsToo() throws Exception {
        Error[] error = {null};
        RuntimeException[] runtime = {new CompletionException(new InternalError(FAULT))};
        try (Engine engine = new Engine(failing(runtime, error), EngineOptions.defaults("m"))) {
            done(engine.submit(GenerationRequest.greedyIds(new int[] {1, 2}, 5, Set.of())));
            assertThat(engine.failure()).contains(FAULT);
        }
    }

    @Test
    void abortEndsEverythingInFlightWithTheReason() throws Exception {
        try (Engine engine = new Engine(new FakeRunner(500, 1, 4096, 64), EngineOptions.defaults("m"))) {
            GenerationHandle running = engine.submit(GenerationRequest.greedyIds(new int[] {1, 2}, 4000, Set.of()));
            GenerationHandle waiting = engine.submit(GenerationRequest.greedyIds(new int[] {3, 4}, 4000, Set.of()));
            assertThat(running.take()).isInstanceOf(GenerationEvent.Token.class);
            engine.abort("shutting down");
            for (GenerationHandle h : new GenerationHandle[] {running, waiting}) {
                GenerationEvent.Done d = done(h);
                assertThat(d.reason()).isEqualTo(FinishReason.ERROR);
                assertThat(d.error()).isEqualTo("shutting down");
            }
            assertThat(engine.queuedCount()).isZero();
            assertThat(engine.kvBlocksInUse()).isZero();
            assertThat(engine.failure()).as("the engine still serves").isEmpty();
        }
    }
}
