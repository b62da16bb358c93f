package dev.hearth.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.device.ComputeDevices;
import dev.hearth.device.DeviceInfo;
import dev.hearth.engine.LocalModelRunner;
import dev.hearth.engine.CpuInfo;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hearth info}: the CPU's vector width and features, cores, memory, and the compute devices found. */
@Command(name = "info", description = "Print the CPU's vector width and features, cores, memory and the GPUs found.")
final class InfoCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        CpuInfo info = CpuInfo.detect();
        ComputeDevices.Listing devices = ComputeDevices.list();
        if (json) {
            ObjectMapper mapper = new ObjectMapper();
            ObjectNode root = mapper.valueToTree(info);
            ArrayNode list = root.putArray("devices");
            for (DeviceInfo d : devices.devices()) {
                ObjectNode n = list.addObject();
                n.put("backend", d.backend());
                n.put("index", d.index());
                n.put("id", d.id());
                n.put("name", d.name());
                n.put("type", d.type().label());
                n.put("memoryBytes", d.memoryBytes());
                n.put("unifiedMemory", d.unifiedMemory());
                n.put("cooperativeMatrix", d.cooperativeMatrix());
                n.put("weightsInPlace", d.weightsInPlace());
                n.put("driver", d.driver());
            }
            ArrayNode problems = root.putArray("deviceProblems");
            devices.problems().forEach(problems::add);
            System.out.println(mapper.writeValueAsString(root));
        } else {
            System.out.printf("cpu:           %s%n", info.modelName());
            System.out.printf("cores:         %d%n", info.cores());
            System.out.printf("vector width:  %d bits (%d floats)%n", info.vectorBits(), info.vectorBits() / 32);
            System.out.printf("features:      %s%n", String.join(" ", info.features()));
            System.out.printf("memory:        %.1f GiB total, %.1f GiB available%n",
                    info.memoryTotalBytes() / 1073741824.0, info.memoryAvailableBytes() / 1073741824.0);
            System.out.printf("java:          %s%n", info.javaVersion());
            System.out.printf("matmul:        %s%n", LocalModelRunner.matmulKernels());
            if (devices.devices().isEmpty()) {
                System.out.printf("devices:       none%n");
            }
            for (DeviceInfo d : devices.devices()) {
                System.out.printf("device:        %s%n", d.describe());
            }
            for (String problem : devices.problems()) {
                System.out.printf("device:        %s%n", problem);
            }
        }
        return 0;
    }
}
