package dev.hearth.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ComputePoolTest {
    @Test
    void everyIndexIsCoveredExactlyOnceInRangesAtMultiples() {
        try (ComputePool pool = new ComputePool(3)) {
            for (int n : new int[] {1, 7, 64, 1000, 4099}) {
                for (int multiple : new int[] {1, 8, 16, 100}) {
                    AtomicIntegerArray hits = new AtomicIntegerArray(n);
                    pool.parallelFor(n, multiple, (start, end) -> {
                        assertThat(start % multiple).isZero();
                        assertThat(end == n || end % multiple == 0).isTrue();
                        for (int i = start; i < end; i++) {
                            hits.incrementAndGet(i);
                        }
                    });
                    for (int i = 0; i < n; i++) {
                        assertThat(hits.get(i)).as("n %d multiple %d index %d", n, multiple, i).isEqualTo(1);
                    }
                }
            }
        }
    }

    @Test
    void aFailureInAnyRangeReachesTheCallerAndThePoolStaysUsable() {
        try (ComputePool pool = new ComputePool(2)) {
            assertThatThrownBy(() -> pool.parallelFor(100, 10, (start, end) -> {
                if (start == 50) {
                    throw new IllegalStateException("range at 50");
                }
            })).hasMessage("range at 50");
            AtomicIntegerArray hits = new AtomicIntegerArray(1);
            pool.parallelFor(100, 10, (start, end) -> hits.addAndGet(0, end - start));
            assertThat(hits.get(0)).isEqualTo(100);
        }
    }
}
