package dev.hearth.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.gguf.GgmlType;
import dev.hearth.kernel.NativeKernels;
import dev.hearth.kernel.NativeKernelsTest;
import dev.hearth.kernel.VectorOps;
import dev.hearth.kv.KvCache;
import dev.hearth.kv.KvPrecision;
import dev.hearth.testing.Fixtures;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every fixture model against llama.cpp (README "Reference files", "Tolerance guidance"): each prompt fed in batched
 * chunks (7 rows for the short prompt, so chunks split it; 64 for the others), every position's logits at the
 * reference's top-10 ids compared; then the reference greedy tokens teacher-forced one at a time through the decode
 * path (KV cache) and each step compared; and the full vocabulary at the last short-prompt position.
 */
class ModelFidelityTest {
    /** Max abs difference on the reference top-10; argmax compared only where the reference top1-top2 gap exceeds argmaxGap. */
    record Tolerance(float abs, float argmaxGap) {}

    /** Float32 math on both sides (F32 file, or any file against its .dequant-f32 reference): llama.cpp vs float64 is <= 3.5e-5. */
    static final Tolerance F32_MATH = new Tolerance(1e-3f, 1e-2f);
    /** F16 weights, native reference: llama.cpp rounds activations to F16 (up to 0.025 alone). */
    static final Tolerance F16_NATIVE = new Tolerance(0.05f, 0.1f);
    /** Quantized weights, native reference: llama.cpp's 8-bit activation rounding moves the top-10 by up to 1.25. */
    static final Tolerance QUANT_NATIVE = new Tolerance(1.5f, 1.5f);
    /**
     * Q4_0 and Q8_0 weights on the native int8 kernels, native reference: the same 8-bit activation blocks as
     * llama.cpp's, so the logits agree far more closely (measured: up to 0.31 on the top-10).
     */
    static final Tolerance INT8_NATIVE = new Tolerance(0.5f, 0.5f);

    /**
     * @param fullAbs max abs difference over the whole vocabulary at the last short-prompt position (native file):
     *     the README's "activation quantization only" spread over all logits (0.6 to 2.4), rounded up; NaN skips
     * @param excludeRouterFlips native comparison skips positions where the native and dequant-f32 llama.cpp
     *     references themselves differ by more than the tolerance (the MoE router picked another expert)
     */
    record Case(String base, Tolerance nativeTolerance, boolean hasDequant, float fullAbs, boolean excludeRouterFlips) {
        @Override
        public String toString() {
            return base;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("llama3-fx-F16", F16_NATIVE, true, 0.05f, false),
                new Case("llama3-fx-Q4_0", QUANT_NATIVE, true, 1.5f, false),
                new Case("mixtral-fx-F32", F32_MATH, false, 1e-3f, false),
                new Case("mixtral-fx-Q4_0", QUANT_NATIVE, true, 1.5f, true),
                new Case("qwen2-fx-Q8_0", QUANT_NATIVE, true, 1.5f, false),
                new Case("qwen2-kq-fx-Q4_K_M", QUANT_NATIVE, true, 3.0f, false),
                new Case("qwen3-fx-Q8_0", QUANT_NATIVE, true, 1.5f, false));
    }

    /** Worst difference seen against one reference, and the failures. */
    static final class Stats {
        final String name;
        final Tolerance tolerance;
        double maxAbs;
        int positions;
        int argmaxChecked;
        int excluded;
        final List<String> failures = new ArrayList<>();

        Stats(String name, Tolerance tolerance) {
            this.name = name;
            this.tolerance = tolerance;
        }

        void compare(String where, ReferenceLogits.Position ref, Logits logits, int row) {
            positions++;
            for (int j = 0; j < ref.ids().length; j++) {
                double d = Math.abs(logits.get(row, ref.ids()[j]) - ref.logits()[j]);
                maxAbs = Math.max(maxAbs, d);
                if (d > tolerance.abs() && failures.size() < 10) {
                    failures.add(where + " id " + ref.ids()[j] + ": ours " + logits.get(row, ref.ids()[j]) + ", ref "
                            + ref.logits()[j]);
                }
            }
            if (ref.gap() > tolerance.argmaxGap()) {
                argmaxChecked++;
                int ours = VectorOps.argmax(logits.values(), logits.offset(row), logits.vocabSize());
                if (ours != ref.ids()[0] && failures.size() < 10) {
                    failures.add(where + ": argmax " + ours + ", ref " + ref.ids()[0] + " (gap " + ref.gap() + ")");
                }
            }
        }

        void report() {
            System.out.printf("%-45s max abs %.3g over %d positions (argmax checked at %d, excluded %d), tolerance %s%n",
                    name, maxAbs, positions, argmaxChecked, excluded, tolerance);
            assertThat(failures).as(name).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesLlamaCpp(Case c) throws IOException {
        check(c, false);
    }

    /**
     * The files whose matmuls run on the native int8 kernels on this machine, again with those kernels: against the
     * native reference only (llama.cpp quantizes activations the same way), with the tighter tolerance where every
     * weight matmul is native. The float32-math twin is held to the Vector API kernels above.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesLlamaCppOnTheNativeKernels(Case c) throws IOException {
        assertThat(NativeKernels.available()).as(NativeKernels.status()).isEqualTo(NativeKernelsTest.nativeExpected());
        // F16 where the native float kernels run (AVX-512): float math, so held to the dequant-f32 reference too
        boolean f16 = c.base().endsWith("F16");
        if (NativeKernels.available() && c.hasDequant() && (!f16 || NativeKernels.matmulsFloat(GgmlType.F16))) {
            check(c, true);
        }
    }

    private void check(Case c, boolean nativeKernels) throws IOException {
        ReferenceLogits nativeRef = ReferenceLogits.read("logits_" + c.base() + ".json");
        ReferenceLogits dequantRef = c.hasDequant() ? ReferenceLogits.read("logits_" + c.base() + ".dequant-f32.json") : null;
        // every weight matmul native (Q4_K_M: its Q4_K and Q6_K; its Q5_0 ones since the AVX2 kernels)
        // Q4_K_M's top-10 keeps its own tolerance: over the long prompt it drifts up to 0.72 from llama.cpp's while
        // the full vocabulary at the short prompt's last position agrees to 2.3e-5 (the same integer dot products)
        boolean allInt8 = nativeKernels && (c.base().endsWith("Q4_0") || c.base().endsWith("Q8_0")
                || c.base().endsWith("Q4_K_M"));
        boolean tightTopTen = allInt8 && !c.base().endsWith("Q4_K_M");
        Stats nativeStats = new Stats(nativeRef.file() + (nativeKernels ? " (native kernels)" : ""),
                tightTopTen ? INT8_NATIVE : c.nativeTolerance());
        boolean floatMath = !nativeKernels || c.base().endsWith("F16");
        Stats dequantStats = c.hasDequant() && floatMath ? new Stats(dequantRef.file(), F32_MATH) : null;
        float[] full = ReferenceLogits.fullLogits(c.base());
        double[] fullMaxAbs = {0};
        try (Model model = Model.load(Fixtures.model(c.base() + ".gguf"), new ModelOptions(2, 64, nativeKernels))) {
            Batch batch = model.newBatch();
            Logits logits = model.newLogits(64);
            for (ReferenceLogits.Prompt p : nativeRef.prompts()) {
                ReferenceLogits.Prompt dp = dequantRef == null ? null : dequantRef.prompt(p.name());
                if (dp != null) {
                    assertThat(dp.promptIds()).isEqualTo(p.promptIds());
                    assertThat(dp.greedyIds().length).isEqualTo(p.greedyIds().length);
                }
                int promptLength = p.promptIds().length;
                KvCache kv = model.newKvCache(promptLength + p.greedyIds().length, 1, KvPrecision.F32);
                int chunk = p.name().equals("short") ? 7 : 64;
                PromptFeeder.feed(model, kv, batch, logits, 0, p.promptIds(), 0, chunk, true, (pos, lg, row) -> {
                    String where = p.name() + " prefill pos " + pos;
                    compare(c, nativeStats, dequantStats, where, p.prefill().get(pos),
                            dp == null ? null : dp.prefill().get(pos), lg, row);
                    if (p.name().equals("short") && pos == promptLength - 1) {
                        for (int id = 0; id < full.length; id++) {
                            fullMaxAbs[0] = Math.max(fullMaxAbs[0], Math.abs(lg.get(row, id) - full[id]));
                        }
                    }
                });
                // Teacher-forced decode: the native greedy path, one token per forward call. The dequant reference
                // is compared while its own greedy path is the same one.
                int dequantSteps = 0;
                while (dp != null && dequantSteps < p.greedyIds().length
                        && dp.greedyIds()[dequantSteps] == p.greedyIds()[dequantSteps]) {
                    dequantSteps++;
                }
                for (int i = 0; i < p.greedyIds().length; i++) {
                    ReferenceLogits.Position dequantPos = i < dequantSteps ? dp.greedy().get(i) : null;
                    ReferenceLogits.Position nativePos = p.greedy().get(i);
                    String where = p.name() + " greedy step " + i;
                    PromptFeeder.feed(model, kv, batch, logits, 0, new int[] {p.greedyIds()[i]}, promptLength + i, 1,
                            true, (pos, lg, row) -> compare(c, nativeStats, dequantStats, where, nativePos, dequantPos,
                                    lg, row));
                }
            }
        }
        nativeStats.report();
        if (dequantStats != null) {
            dequantStats.report();
        }
        // On the native kernels the last short-prompt position measured within 1e-5 of llama.cpp over the whole
        // vocabulary: the same integer block dot products.
        float fullAbs = allInt8 ? 1e-3f : c.fullAbs();
        System.out.printf("%-45s full-vocabulary max abs %.3g (tolerance %s)%n", c.base() + " short last position",
                fullMaxAbs[0], Float.isNaN(fullAbs) ? "not checked" : fullAbs);
        if (!Float.isNaN(fullAbs)) {
            assertThat(fullMaxAbs[0]).as("full logits " + c.base()).isLessThanOrEqualTo(fullAbs);
        }
        if (c.excludeRouterFlips()) {
            assertThat(nativeStats.excluded).as("positions excluded as router flips").isLessThanOrEqualTo(
                    nativeStats.positions / 10);
        }
    }

    private static void compare(Case c, Stats nativeStats, Stats dequantStats, String where,
            ReferenceLogits.Position nativePos, ReferenceLogits.Position dequantPos, Logits logits, int row) {
        if (c.excludeRouterFlips() && dequantPos != null && referencesDisagree(nativePos, dequantPos, c.nativeTolerance())) {
            nativeStats.excluded++;
        } else {
            nativeStats.compare(where, nativePos, logits, row);
        }
        if (dequantStats != null && dequantPos != null) {
            dequantStats.compare(where, dequantPos, logits, row);
        }
    }

    /** True when the two llama.cpp references differ by more than the tolerance on an id both list. */
    private static boolean referencesDisagree(ReferenceLogits.Position a, ReferenceLogits.Position b, Tolerance t) {
        for (int i = 0; i < a.ids().length; i++) {
            for (int j = 0; j < b.ids().length; j++) {
                if (a.ids()[i] == b.ids()[j] && Math.abs(a.logits()[i] - b.logits()[j]) > t.abs()) {
                    return true;
                }
            }
        }
        return false;
    }
}
