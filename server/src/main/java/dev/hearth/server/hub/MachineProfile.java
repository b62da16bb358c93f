package dev.hearth.server.hub;

import dev.hearth.engine.CpuInfo;

/**
 * What the planner knows about this machine.
 *
 * @param memoryBytes          total RAM
 * @param cores                CPU cores used for compute
 * @param bandwidthBytesPerSec measured memory read bandwidth (all cores)
 * @param flopsPerSec          estimated peak float throughput (all cores, FMA counted as 2)
 */
public record MachineProfile(long memoryBytes, int cores, double bandwidthBytesPerSec, double flopsPerSec) {
    /** Clock assumed for the compute estimate; real clocks vary 2-5 GHz. */
    static final double ASSUMED_HZ = 3.0e9;

    /** Detects RAM and cores, measures bandwidth (a fraction of a second), estimates FLOPS from the vector width. */
    public static MachineProfile detect() {
        MachineProfile m = unmeasured();
        return m.withBandwidth(dev.hearth.engine.MemoryBandwidth.measure(m.cores(), 256));
    }

    /** RAM, cores and the FLOPS estimate, without measuring bandwidth (decode speeds come out as 0). */
    public static MachineProfile unmeasured() {
        CpuInfo cpu = CpuInfo.detect();
        int cores = Math.max(1, cpu.cores());
        int lanes = Math.max(1, cpu.vectorBits() / 32);
        double flops = cores * lanes * 2.0 /* FMA */ * 2.0 /* FMA ports */ * ASSUMED_HZ;
        long memory = cpu.memoryTotalBytes() > 0 ? cpu.memoryTotalBytes() : Runtime.getRuntime().maxMemory();
        return new MachineProfile(memory, cores, 0, flops);
    }

    public MachineProfile withBandwidth(double bytesPerSec) {
        return new MachineProfile(memoryBytes, cores, bytesPerSec, flopsPerSec);
    }

    public MachineProfile withMemory(long bytes) {
        return new MachineProfile(bytes, cores, bandwidthBytesPerSec, flopsPerSec);
    }
}
