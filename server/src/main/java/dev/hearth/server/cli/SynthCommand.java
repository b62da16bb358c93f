package dev.hearth.server.cli;

import dev.hearth.server.synth.SynthFileType;
import dev.hearth.server.synth.SynthPlan;
import dev.hearth.server.synth.SynthPreset;
import dev.hearth.server.synth.SynthSpec;
import dev.hearth.server.synth.SynthWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hearth synth}: a GGUF with seeded random weights for any supported architecture and shape. */
@Command(name = "synth", description = "Write a GGUF model with seeded random weights (for tests and benchmarks).")
final class SynthCommand implements Callable<Integer> {
    @Option(names = "--preset",
            description = "Shape of a real model: llama-3.2-1b, qwen2.5-0.5b, qwen2.5-14b, qwen2.5-32b, qwen3-0.6b.")
    String preset;

    @Option(names = "--arch", description = "llama, qwen2 or qwen3 (default llama).")
    String arch;

    @Option(names = "--layers") Integer layers;
    @Option(names = "--dim") Integer dim;
    @Option(names = "--heads") Integer heads;
    @Option(names = "--kv-heads") Integer kvHeads;
    @Option(names = "--head-dim", description = "Default dim / heads.") Integer headDim;
    @Option(names = "--ffn") Integer ffn;
    @Option(names = "--experts", description = "MoE experts (llama arch, Mixtral layout).") Integer experts;
    @Option(names = "--experts-used") Integer expertsUsed;

    @Option(names = "--vocab-from", description = "Copy the tokenizer (tokenizer.* keys, chat template) from this GGUF.")
    Path vocabFrom;

    @Option(names = "--vocab", description = "Vocabulary size when no --vocab-from is given (no tokenizer keys).")
    Integer vocab;

    @Option(names = "--tied", negatable = true, description = "Output shares token_embd (--no-tied: own output.weight).")
    Boolean tied;

    @Option(names = "--type", description = "F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K_M, Q5_K_M, Q6_K.")
    String type = "F32";

    @Option(names = "--ctx") Integer ctx;
    @Option(names = "--rope-theta") Float ropeTheta;
    @Option(names = "--rms-eps") Float rmsEps;
    @Option(names = "--qkv-bias", negatable = true, description = "q/k/v biases (default: on for qwen2).") Boolean qkvBias;
    @Option(names = "--qk-norm", negatable = true, description = "q/k RMS norms (default: on for qwen3).") Boolean qkNorm;
    @Option(names = "--rope-freqs", negatable = true, description = "Llama-3 rope_freqs.weight scaling tensor.") Boolean ropeFreqs;
    @Option(names = "--seed") long seed = 1;
    @Option(names = "--threads", description = "Generator threads (default: all cores).")
    int threads = Runtime.getRuntime().availableProcessors();
    @Option(names = "--out", required = true, description = "The GGUF file to write.") Path out;

    @Override
    public Integer call() throws Exception {
        SynthPreset p = preset == null ? null : SynthPreset.byId(preset);
        String a = pick(arch, p == null ? null : p.arch, "llama");
        int d = pick(dim, p == null ? null : p.dim, 64);
        int h = pick(heads, p == null ? null : p.heads, 4);
        int kv = pick(kvHeads, p == null ? null : p.kvHeads, h);
        boolean qwen = !a.equals("llama");
        SynthFileType fileType;
        try {
            fileType = SynthFileType.valueOf(type.toUpperCase());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--type " + type + " is not one of "
                    + java.util.Arrays.toString(SynthFileType.values()));
        }
        if (vocabFrom != null && !Files.isRegularFile(vocabFrom)) {
            throw new IllegalArgumentException("--vocab-from " + vocabFrom + ": no such file");
        }
        int e = pick(experts, null, 0);
        SynthSpec spec = new SynthSpec(a,
                pick(layers, p == null ? null : p.layers, 2), d, h, kv,
                pick(headDim, p == null ? null : p.headDim, d / h),
                pick(ffn, p == null ? null : p.ffn, 3 * d),
                e, pick(expertsUsed, null, Math.min(2, e)),
                vocabFrom, pick(vocab, p == null ? null : p.vocab, 256),
                pick(tied, p == null ? null : p.tied, qwen), fileType,
                pick(ctx, p == null ? null : p.contextLength, 4096),
                pick(ropeTheta, p == null ? null : p.ropeTheta, qwen ? 1e6f : 10000f),
                pick(rmsEps, p == null ? null : p.rmsEpsilon, qwen ? 1e-6f : 1e-5f),
                pick(qkvBias, p == null ? null : p.qkvBias, a.equals("qwen2")),
                pick(qkNorm, p == null ? null : p.qkNorm, a.equals("qwen3")),
                pick(ropeFreqs, p == null ? null : p.ropeFreqs, false),
                seed, p == null ? "synthetic " + a : "synthetic " + p.id);
        long started = System.nanoTime();
        SynthPlan plan = SynthPlan.of(spec);
        SynthWriter.write(plan, seed, out, threads);
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("wrote %s: %s, %d layers, dim %d, vocab %d, %s, %d tensors, %.1f MB in %.1f s%n", out, a,
                spec.layers(), d, plan.vocabSize(), fileType, plan.tensors().size(), Files.size(out) / 1e6, seconds);
        return 0;
    }

    private static <T> T pick(T option, T preset, T fallback) {
        return option != null ? option : preset != null ? preset : fallback;
    }
}
