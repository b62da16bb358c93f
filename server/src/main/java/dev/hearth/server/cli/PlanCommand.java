package dev.hearth.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.server.hub.Bytes;
import dev.hearth.server.hub.DevicePlan;
import dev.hearth.server.hub.MachineProfile;
import dev.hearth.server.hub.MemoryPlan;
import dev.hearth.server.hub.PlanRequest;
import dev.hearth.server.hub.Planner;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code hearth plan}: memory and speed of every catalogue model on this machine, and the best that fits. */
@Command(name = "plan", description = {"Plan memory and speed for every catalogue model and quantization:",
        "weights + KV cache + compute buffers + runtime, expected decode and prompt tokens/s",
        "(decode from a quick measurement of memory bandwidth), and the best model that fits."})
final class PlanCommand implements Callable<Integer> {
    @Option(names = "--ram", paramLabel = "SIZE", description = "Memory to plan for, e.g. 64G (default: this machine's).")
    String ram;

    // The same spelling as run/serve's ContextSizeOption (-c/--ctx-size); --ctx stays for existing scripts. Not the
    // mixin itself: plan has no model's context to default to, so it plans for 8192.
    @Option(names = {"-c", "--ctx-size", "--ctx"}, paramLabel = "TOKENS", defaultValue = "8192",
            description = "Context per sequence (default ${DEFAULT-VALUE}).")
    int context;

    @Option(names = "--parallel", paramLabel = "N", defaultValue = "1", description = "Concurrent sequences (default ${DEFAULT-VALUE}).")
    int parallel;

    @Mixin
    KvOption kv = new KvOption("f16");

    @Mixin
    DeviceOptions deviceOptions = new DeviceOptions();

    @Option(names = "--bandwidth", paramLabel = "GB/S", description = "Use this memory bandwidth instead of measuring.")
    Double bandwidthGbPerSec;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Option(names = "--model", paramLabel = "FILE", description = "Plan this GGUF file instead of the catalogue:"
            + " resident weights, repack growth, KV cache at full use, compute buffers and runtime, from its tensors.")
    java.nio.file.Path model;

    @Override
    public Integer call() throws Exception {
        MachineProfile machine = bandwidthGbPerSec == null ? MachineProfile.detect()
                : MachineProfile.unmeasured().withBandwidth(bandwidthGbPerSec * 1e9);
        long memory = ram == null ? machine.memoryBytes() : Bytes.parse(ram);
        Planner planner = new Planner(machine.withMemory(memory));
        dev.hearth.device.DeviceChoice device = deviceOptions.choice();
        PlanRequest req = new PlanRequest(memory, context, parallel, kv.precision(), device);
        if (model != null) {
            return planFile(planner, req);
        }
        if (!device.wantsCpuOnly()) {
            throw new IllegalArgumentException("--device, --gpu-layers and --gpu-memory plan one file: give --model FILE");
        }
        List<MemoryPlan> plans = planner.planCatalogue(req);
        Optional<MemoryPlan> best = Planner.best(plans);
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("machine", machine.withMemory(memory));
            out.put("request", req);
            out.put("plans", plans.stream().map(PlanCommand::row).toList());
            out.put("best", best.map(PlanCommand::row).orElse(null));
            System.out.println(new ObjectMapper().writeValueAsString(out));
            return 0;
        }
        System.out.printf("machine: %s memory (%s for models), %d cores, memory bandwidth %.1f GB/s%s%n",
                Bytes.format(memory), Bytes.format(Planner.budget(memory)), machine.cores(),
                machine.bandwidthBytesPerSec() / 1e9, bandwidthGbPerSec == null ? " (measured)" : " (given)");
        System.out.printf("request: %d token(s) of context x %d sequence(s), KV cache %s%n", context, parallel,
                req.kv().name().toLowerCase(Locale.ROOT));
        System.out.printf("%-18s %-7s %9s %9s %9s %9s  %-5s %9s %9s %9s%n", "MODEL", "QUANT", "WEIGHTS", "KV", "OTHER",
                "TOTAL", "FITS", "DECODE/s", "ALL SEQ/s", "PROMPT/s");
        for (MemoryPlan p : plans) {
            System.out.printf("%-18s %-7s %9s %9s %9s %9s  %-5s %9.1f %9.1f %9.0f%n", p.model(), p.quantization(),
                    Bytes.format(p.weightBytes() + p.repackGrowthBytes()), Bytes.format(p.kvCacheBytes()),
                    Bytes.format(p.computeBytes() + p.overheadBytes()), Bytes.format(p.totalBytes()),
                    switch (p.verdict()) {
                        case FITS -> "yes";
                        case TIGHT -> "tight";
                        case DOES_NOT_FIT -> "no";
                    }, p.decodeTokensPerSec(), p.aggregateDecodeTokensPerSec(), p.promptTokensPerSec());
        }
        System.out.println(best.map(p -> String.format("best: %s (%s), about %.1f tokens/s per sequence",
                p.model() + (p.quantization().equals("Q4_K_M") ? "" : "-" + p.quantization().toLowerCase(Locale.ROOT)),
                p.quantization(), p.decodeTokensPerSec()))
                .orElse("best: nothing in the catalogue fits " + Bytes.format(memory) + " with this context"));
        System.out.println("speeds are estimates: decode from measured bandwidth, prompt from peak compute");
        return 0;
    }

    private int planFile(Planner planner, PlanRequest req) throws Exception {
        if (!java.nio.file.Files.isRegularFile(model)) {
            System.err.println("hearth plan: no such model file: " + model);
            return 2;
        }
        MemoryPlan p = planner.planFile(model.getFileName().toString(), model, req);
        if (json) {
            System.out.println(new ObjectMapper().writeValueAsString(row(p)));
            return 0;
        }
        System.out.printf("%s (%s): %s tokens x %d sequence(s), KV %s%n", model, p.quantization(),
                p.request().context(), p.request().parallel(), req.kv().name().toLowerCase(Locale.ROOT));
        System.out.printf("  weights %s (resident), repacked +%s, KV cache %s (at full use), compute %s, runtime %s%n",
                Bytes.format(p.weightBytes()), Bytes.format(p.repackGrowthBytes()), Bytes.format(p.kvCacheBytes()),
                Bytes.format(p.computeBytes()), Bytes.format(p.overheadBytes()));
        if (p.deviceHostBytes() > 0) {
            System.out.printf("  the device's part in host memory (unified memory): %s%n",
                    Bytes.format(p.deviceHostBytes()));
        }
        boolean hostFits = p.totalBytes() <= p.budgetBytes();
        System.out.printf("  total %s of %s: %s%n", Bytes.format(p.totalBytes()), Bytes.format(p.budgetBytes()),
                !hostFits ? "does not fit (at most " + p.maxContextThatFits() + " tokens of context per sequence would)"
                        : p.totalBytes() > p.budgetBytes() * 0.9 ? "fits, but tight" : "fits");
        DevicePlan d = p.device();
        if (d != null) {
            System.out.println("  device: " + d.describe());
            double speed = deviceDecode(planner, d);
            if (speed > 0) {
                System.out.printf("  decode: about %.1f tokens/s per sequence (the device's layers at its copy-shader"
                        + " bandwidth, the CPU's at the host's)%n", speed);
            }
        }
        return p.fits() ? 0 : 1;
    }

    /** The placement's single-sequence decode speed with the device's bandwidth measured now; 0 without a device. */
    private static double deviceDecode(Planner planner, DevicePlan d) {
        if (d.placement().onCpu() || d.sizes() == null) {
            return 0;
        }
        try {
            double deviceBandwidth = d.placement().device().copyBandwidth(256L << 20);
            return d.decodeTokensPerSec(planner.machine().bandwidthBytesPerSec(), deviceBandwidth,
                    Planner.BANDWIDTH_EFFICIENCY);
        } catch (dev.hearth.device.DeviceUnavailableException e) {
            System.out.println("  decode: the device's bandwidth could not be measured: " + e.getMessage());
            return 0;
        }
    }

    private static Map<String, Object> row(MemoryPlan p) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("model", p.model());
        r.put("quantization", p.quantization());
        r.put("weightBytes", p.weightBytes());
        r.put("repackGrowthBytes", p.repackGrowthBytes());
        r.put("kvCacheBytes", p.kvCacheBytes());
        r.put("computeBytes", p.computeBytes());
        r.put("overheadBytes", p.overheadBytes());
        r.put("deviceHostBytes", p.deviceHostBytes());
        r.put("totalBytes", p.totalBytes());
        r.put("budgetBytes", p.budgetBytes());
        r.put("fits", p.fits());
        r.put("verdict", p.verdict());
        r.put("decodeTokensPerSec", p.decodeTokensPerSec());
        r.put("aggregateDecodeTokensPerSec", p.aggregateDecodeTokensPerSec());
        r.put("promptTokensPerSec", p.promptTokensPerSec());
        DevicePlan d = p.device();
        if (d != null) {
            Map<String, Object> dev = new LinkedHashMap<>();
            dev.put("placement", d.placement().note());
            dev.put("onDevice", !d.placement().onCpu());
            dev.put("firstDeviceLayer", d.placement().onCpu() ? null : d.placement().firstLayer());
            dev.put("layers", d.numLayers());
            dev.put("deviceBytes", d.placement().deviceBytes());
            dev.put("limitBytes", d.placement().limitBytes());
            dev.put("weightBytes", d.sizes() == null ? null : d.sizes().weights());
            dev.put("kvCacheBytes", d.sizes() == null ? null : d.sizes().kv());
            dev.put("scratchBytes", d.sizes() == null ? null : d.sizes().scratch());
            dev.put("fits", d.fits());
            dev.put("shortfall", d.placement().shortfall());
            r.put("device", dev);
        }
        return r;
    }
}
