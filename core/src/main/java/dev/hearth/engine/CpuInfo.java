package dev.hearth.engine;

import dev.hearth.kernel.MachineProbes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** What this machine offers the kernels: vector width, CPU features, cores, memory. */
public record CpuInfo(String modelName, int cores, int vectorBits, List<String> features, long memoryTotalBytes,
        long memoryAvailableBytes, String javaVersion) {

    private static final Set<String> INTERESTING = Set.of("sse4_2", "avx", "avx2", "fma", "f16c", "avx512f",
            "avx512bw", "avx512vl", "avx512_vnni", "avx_vnni", "avx512_bf16", "avx512_fp16", "amx_int8", "amx_bf16",
            "asimd", "sve", "sve2", "dotprod", "i8mm");

    public static CpuInfo detect() {
        String model = "unknown";
        List<String> features = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if ((line.startsWith("model name") || line.startsWith("Model")) && model.equals("unknown")) {
                    model = line.substring(line.indexOf(':') + 1).trim();
                } else if ((line.startsWith("flags") || line.startsWith("Features")) && features.isEmpty()) {
                    for (String f : line.substring(line.indexOf(':') + 1).trim().split("\\s+")) {
                        if (INTERESTING.contains(f)) {
                            features.add(f);
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: leave the defaults
        }
        long total = -1;
        long available = -1;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    total = kib(line);
                } else if (line.startsWith("MemAvailable:")) {
                    available = kib(line);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return new CpuInfo(model, Runtime.getRuntime().availableProcessors(),
                MachineProbes.vectorBits(), List.copyOf(features), total, available,
                Runtime.version().toString());
    }

    private static long kib(String line) {
        String[] parts = line.split("\\s+");
        return Long.parseLong(parts[1]) * 1024;
    }
}
