package dev.hearth.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.engine.LocalModelRunner;
import dev.hearth.engine.CpuInfo;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hearth info}: the CPU's vector width and features, cores, memory. */
@Command(name = "info", description = "Print the CPU's vector width and features, cores and memory.")
final class InfoCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        CpuInfo info = CpuInfo.detect();
        if (json) {
            System.out.println(new ObjectMapper().writeValueAsString(info));
        } else {
            System.out.printf("cpu:           %s%n", info.modelName());
            System.out.printf("cores:         %d%n", info.cores());
            System.out.printf("vector width:  %d bits (%d floats)%n", info.vectorBits(), info.vectorBits() / 32);
            System.out.printf("features:      %s%n", String.join(" ", info.features()));
            System.out.printf("memory:        %.1f GiB total, %.1f GiB available%n",
                    info.memoryTotalBytes() / 1073741824.0, info.memoryAvailableBytes() / 1073741824.0);
            System.out.printf("java:          %s%n", info.javaVersion());
            System.out.printf("matmul:        %s%n", LocalModelRunner.matmulKernels());
        }
        return 0;
    }
}
