package dev.hearth.server.cli;

import dev.hearth.device.DeviceChoice;
import picocli.CommandLine.Option;

/**
 * {@code --device} and {@code --gpu-layers}, shared by run, logits, bench and serve. A device that cannot be used (no
 * Vulkan loader, no device, a driver error, a model it cannot hold) is not an error: the model runs on the CPU and
 * one line says why.
 */
final class DeviceOptions {
    @Option(names = "--device", paramLabel = "cpu|vulkan[:N]",
            description = "Where the model runs: cpu, or a Vulkan device (vulkan: the best one; vulkan:N: device N "
                    + "of 'hearth info'). Default: cpu, unless --gpu-layers asks for a GPU.")
    String device;

    @Option(names = "--gpu-layers", paramLabel = "N|all|auto",
            description = "Layers on the GPU: all, auto (all on the best GPU when the model fits in its memory, else "
                    + "the CPU) or a count (0: CPU; a CPU/GPU split is not supported yet). Default: all with --device "
                    + "vulkan.")
    String gpuLayers;

    /** The parsed choice; a bad value is a usage error naming the option. */
    DeviceChoice choice() {
        return DeviceChoice.parse(device, gpuLayers);
    }
}
