package dev.hearth.kernel;

/**
 * A loop body over [start, end), as {@link ComputePool#parallelFor} runs it. Its own file (not nested in the pool) so
 * that the bodies the pool holds, such as {@link MatmulTask}, do not depend back on the pool.
 */
@FunctionalInterface
public interface RangeBody {
    void run(int start, int end);
}
