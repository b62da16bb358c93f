package dev.hearth.server.hub;

import dev.hearth.device.ComputeDevices;
import dev.hearth.device.DeviceFootprint;
import dev.hearth.device.Placement;
import dev.hearth.gguf.GgufFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Memory-fit planner: for a model and a {@link PlanRequest}, adds weights, KV cache, compute buffers and runtime
 * overhead, compares with the memory budget, and estimates speed: decoding is bound by memory bandwidth (each step
 * reads the active weights once plus every sequence's KV cache), prompt processing by compute (2 FLOPs per active
 * weight per token). The server calls {@link #check} before loading a model.
 */
public final class Planner {
    /** Tokens processed together during prompt processing (llama.cpp's default micro-batch); logits are kept
     * only for rows that sample, one per sequence. */
    static final int MICRO_BATCH = 512;
    /** Keys per attention chunk held at once in the compute buffer. */
    static final int ATTENTION_CHUNK = 4096;
    static final long RUNTIME_BASE = 512L << 20;
    /**
     * The server process's own resident memory with a model loaded from a file at hand (JVM, classes, code cache, heap,
     * HTTP server, tokenizer) once it has answered a request, measured; page tables for the weights (8 bytes per 4 KiB
     * page) come on top. The peak after load and one chat (bench/scripts/start_time.sh with CHAT=1), 2026-12-07, since
     * the activations' quantizers went native (their boxed vectors were most of the start's garbage): eleven runs of a
     * Llama-3.2-1B-shape Q4_K_M, 1031 to 1138 MiB (median 1088; the first request's heap growth varies); three of a
     * Qwen2.5-14B-shape Q4_K_M, 8598 to 8691 MiB. 290 MiB puts the 1B at 1084 MiB and the 14B at 8661 (425, the
     * figure before, at 1219 and 8796). Later that day, with the repack cache entry mapped and G1's young generation
     * capped at 48 MiB (bin/jvm.options), after load and a 64-token chat: four 1B runs 1068-1109 MiB (-1.6% to +2.1%),
     * three 14B runs 8716-8741 MiB (+0.6% to +0.9%); without the cap the same 1B varied -5% to +10%.
     */
    static final long RUNTIME_FILE = 290L << 20;
    /** Share of measured bandwidth a decode step achieves. */
    public static final double BANDWIDTH_EFFICIENCY = 0.85;
    /** Share of peak FLOPS quantized matmuls reach on the JVM (conservative). */
    static final double COMPUTE_EFFICIENCY = 0.25;
    /** A model slower than this at decoding is not recommended as "best". */
    static final double MIN_USEFUL_DECODE = 5.0;

    private final MachineProfile machine;

    public Planner(MachineProfile machine) {
        this.machine = machine;
    }

    public MachineProfile machine() {
        return machine;
    }

    /** Memory left for the model: total minus the operating system's reserve (5%, at least 1 GiB). */
    public static long budget(long memoryBytes) {
        return memoryBytes - Math.max(1L << 30, memoryBytes / 20);
    }

    public MemoryPlan plan(String model, String quant, ModelShape shape, long weightBytes, PlanRequest req) {
        long ctx = req.context();
        long kvPerToken = (long) Math.ceil(shape.layers() * 2.0 * shape.keyValueHeads() * shape.headDim()
                * req.kv().bytesPerElement());
        long kv = kvPerToken * ctx * req.parallel();
        int heads = Math.max(1, shape.dim() / shape.headDim());
        long compute = 4L * ((long) MICRO_BATCH * (8L * shape.dim() + (long) heads * Math.min(ctx, ATTENTION_CHUNK))
                + (long) req.parallel() * shape.vocabSize());
        // Q4_0 weights get a block-scale table on the heap at load (a float per 18-byte block; WeightMatrix)
        long scaleTables = "Q4_0".equalsIgnoreCase(quant) ? weightBytes / 18 * 4 : 0;
        long overhead = RUNTIME_BASE + weightBytes / 50 + scaleTables;
        long growth = Math.round(weightBytes * dev.hearth.engine.MemoryEstimate.repackGrowth(quant));

        double activeShare = (double) shape.activeParameterCount() / shape.parameterCount();
        double activeWeightBytes = weightBytes * activeShare;
        double bandwidth = machine.bandwidthBytesPerSec() * BANDWIDTH_EFFICIENCY;
        double kvReadPerSequence = kvPerToken * (ctx / 2.0); // on average half the context is filled
        double flops = machine.flopsPerSec() * COMPUTE_EFFICIENCY;
        double flopsPerToken = 2.0 * shape.activeParameterCount();
        double single = Math.min(bandwidth / (activeWeightBytes + kvReadPerSequence), flops / flopsPerToken);
        double aggregate = Math.min(req.parallel() * bandwidth
                / (activeWeightBytes + req.parallel() * kvReadPerSequence), flops / flopsPerToken);
        double prompt = flops / flopsPerToken;
        return new MemoryPlan(model, quant, shape, req, weightBytes, growth, kv, compute, overhead,
                budget(req.memoryBytes()), single, aggregate, prompt);
    }

    /**
     * Plans a GGUF file at hand from its tensor directory ({@link dev.hearth.engine.MemoryEstimate}): the tensors that
     * become resident, each repacked where this process repacks its type, the KV pool and the compute buffers of the
     * runner a server would build, and the runtime's own memory. Speeds as {@link #plan}.
     */
    public MemoryPlan planFile(String model, java.nio.file.Path file, PlanRequest req) throws IOException {
        try (GgufFile g = GgufFile.open(file)) {
            return planFile(model, g, req);
        }
    }

    /** As {@link #planFile(String, java.nio.file.Path, PlanRequest)} from a file already open (the loader's). */
    public MemoryPlan planFile(String model, GgufFile g, PlanRequest req) {
        GgufSummary s = GgufSummary.of(g, model);
        if (s.shape() == null) {
            throw new HubException("model '" + model + "' lacks the attention metadata the planner needs"
                    + " (block_count, embedding_length, attention.head_count)");
        }
        MemoryPlan rough = plan(model, s.quantization(), s.shape(), g.fileSize(), req);
        dev.hearth.engine.MemoryEstimate e;
        try {
            e = dev.hearth.engine.MemoryEstimate.of(g, req.context(), req.parallel(),
                    req.kv(),
                    dev.hearth.engine.LocalModelRunner.DEFAULT_MAX_BATCH_TOKENS, machine.cores());
        } catch (RuntimeException ex) {
            return rough;  // a header the loader would refuse anyway (it says why): planned from its summary
        }
        long resident = e.weightBytes() - e.repackGrowthBytes();
        DevicePlan device = placeOnDevice(g, req);
        // the CPU still maps (and repacks) every layer; only the keys and values move with their layers
        long kv = device == null ? e.kvBytes() : e.kvBytes() * device.hostLayers() / device.numLayers();
        return new MemoryPlan(model, s.quantization(), s.shape(), req, resident, e.repackGrowthBytes(), kv,
                e.computeBytes(), RUNTIME_FILE + e.weightBytes() / 512, budget(req.memoryBytes()),
                rough.decodeTokensPerSec(), rough.aggregateDecodeTokensPerSec(), rough.promptTokensPerSec(), device);
    }

    /**
     * The device part of a file's plan: where the request's device choice puts the layers (for {@code auto}, as many of
     * the last as fit), with the device memory each needs ({@link DeviceFootprint}, the runner's geometry: every
     * sequence's full context in the pool, the default batch); null for the CPU alone.
     *
     * @throws IllegalArgumentException for a device choice that names no backend or device here
     */
    static DevicePlan placeOnDevice(GgufFile g, PlanRequest req) {
        if (req.device().wantsCpuOnly()) {
            return null;
        }
        DeviceFootprint footprint = DeviceFootprint.forRunner(g, req.kv(), req.context(), req.parallel(),
                dev.hearth.engine.LocalModelRunner.DEFAULT_MAX_BATCH_TOKENS);
        int layers = footprint.numLayers();
        Placement p = ComputeDevices.place(req.device(), layers, first -> footprint.forLayers(first).total());
        boolean sized = !p.onCpu() || p.shortfall() != null;
        return new DevicePlan(p, sized ? footprint.forLayers(p.firstLayer()) : null, layers,
                footprint.layerWeights(0, p.onCpu() ? layers : p.firstLayer()));
    }

    /** Every catalogue model in every published quantization, sizes estimated from the parameter count. */
    public List<MemoryPlan> planCatalogue(PlanRequest req) {
        List<MemoryPlan> plans = new ArrayList<>();
        for (CatalogueEntry e : Catalogue.entries()) {
            for (String q : e.quantizations()) {
                plans.add(plan(e.name(), q, e.shape(), e.estimatedBytes(q), req));
            }
        }
        return plans;
    }

    /**
     * The best model that fits: the most parameters among plans that fit and decode at a useful speed (or, when
     * none is fast enough, among all that fit), then the highest-precision quantization of it.
     */
    public static Optional<MemoryPlan> best(List<MemoryPlan> plans) {
        List<MemoryPlan> fitting = plans.stream().filter(MemoryPlan::fits).toList();
        List<MemoryPlan> useful = fitting.stream().filter(p -> p.decodeTokensPerSec() >= MIN_USEFUL_DECODE).toList();
        return (useful.isEmpty() ? fitting : useful).stream().max(Comparator
                .comparingLong((MemoryPlan p) -> p.shape().parameterCount())
                .thenComparingLong(MemoryPlan::weightBytes));
    }

    /**
     * What the server calls before loading: the plan when the model fits (the caller should warn when its
     * verdict is TIGHT), a {@link HubException} with {@link MemoryPlan#describe()} when it does not.
     */
    public MemoryPlan admit(ResolvedModel model, PlanRequest req) throws IOException {
        return admit(model, req, null);
    }

    /** As {@link #admit(ResolvedModel, PlanRequest)} with the model's (first) file already open, or null. */
    public MemoryPlan admit(ResolvedModel model, PlanRequest req, GgufFile open) throws IOException {
        MemoryPlan plan = check(model, req, open);
        if (plan.verdict() == MemoryPlan.Verdict.DOES_NOT_FIT) {
            throw new HubException("refusing to load: " + plan.describe());
        }
        return plan;
    }

    /** Plans a stored model from its GGUF header; what the server asks before loading (refuse or warn). */
    public MemoryPlan check(ResolvedModel model, PlanRequest req) throws IOException {
        return check(model, req, null);
    }

    /** As {@link #check(ResolvedModel, PlanRequest)} with the model's (first) file already open, or null. */
    public MemoryPlan check(ResolvedModel model, PlanRequest req, GgufFile open) throws IOException {
        if (model.shards().size() == 1) {
            return open != null ? planFile(model.manifest().name(), open, req)
                    : planFile(model.manifest().name(), model.shards().getFirst(), req);
        }
        long bytes = 0;
        for (Path p : model.shards()) {
            bytes += Files.size(p);
        }
        GgufSummary s = GgufSummary.read(model.shards(), model.manifest().files().getFirst().path());
        if (s.shape() == null) {
            throw new HubException("model '" + model.manifest().name() + "' lacks the attention metadata the"
                    + " planner needs (block_count, embedding_length, attention.head_count)");
        }
        return plan(model.manifest().name(), s.quantization(), s.shape(), bytes, req);
    }
}
