package dev.hearth.server.cli;

import dev.hearth.device.DeviceChoice;
import picocli.CommandLine.Option;

/**
 * {@code --device}, {@code --gpu-layers} and {@code --gpu-memory}, shared by run, logits, bench and serve. A device that cannot be used (no
 * Vulkan loader, no device, a driver error, a model it cannot hold) is not an error: the model runs on the CPU and
 * one line says why.
 */
final class DeviceOptions {
    @Option(names = "--device", paramLabel = "cpu|vulkan[:N]",
            description = "Where the model runs: cpu, or a Vulkan device (vulkan: the best one; vulkan:N: device N "
                    + "of 'hearth info'). Default: cpu, unless --gpu-layers asks for a GPU.")
    String device;

    @Option(names = "--gpu-layers", paramLabel = "N|all|auto",
            description = "Layers on the GPU: all, auto (as many of the last layers as fit the GPU's memory and "
                    + "--gpu-memory, the rest on the CPU) or a count N (the last N layers and the output on the GPU, "
                    + "the first on the CPU; 0: CPU only). Default: all with --device vulkan.")
    String gpuLayers;

    @Option(names = "--gpu-memory", paramLabel = "SIZE",
            description = "The most device memory Hearth takes (weights, KV cache and scratch of the GPU's layers), "
                    + "e.g. 512m or 2g (binary units). Default: the device's memory.")
    String gpuMemory;

    /** The parsed choice; a bad value is a usage error naming the option. */
    DeviceChoice choice() {
        return DeviceChoice.parse(device, gpuLayers, gpuMemory);
    }
}
