package dev.hearth.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.kernel.VectorOps;
import dev.hearth.kv.KvCache;
import dev.hearth.kv.KvPrecision;
import dev.hearth.model.Batch;
import dev.hearth.model.Logits;
import dev.hearth.model.Model;
import dev.hearth.model.PromptFeeder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hearth run MODEL --ids ... -n 16}: the prompt in batched chunks, then one token per forward pass (the
 * decode path). Greedy only for now; {@link TokenPicker} is the seam for the sampler.
 */
@Command(name = "run", description = "Generate tokens after a prompt of token ids (greedy).")
final class RunCommand implements Callable<Integer> {
    /** Picks the next token from one row of logits. */
    @FunctionalInterface
    interface TokenPicker {
        int pick(float[] logits, int offset, int vocabSize);
    }

    @Parameters(index = "0", paramLabel = "MODEL", description = "Path to a GGUF model.")
    Path model;

    @Option(names = "--ids", required = true, split = ",", description = "Prompt token ids, comma separated.")
    int[] ids;

    @Option(names = "-n", defaultValue = "16", description = "Tokens to generate (default ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--temp", defaultValue = "0", description = "Temperature; only 0 (greedy) for now.")
    float temperature;

    @Option(names = "--threads", description = "Compute threads (default: all cores).")
    Integer threads;

    @Option(names = "--batch", defaultValue = "64", description = "Prompt rows per forward pass (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--kv", defaultValue = "f32", description = "KV cache precision: f32 or f16 (default ${DEFAULT-VALUE}).")
    String kvPrecision;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (temperature != 0) {
            throw new IllegalArgumentException("--temp " + temperature + " is not supported yet: only greedy (--temp 0)");
        }
        if (count < 0) {
            throw new IllegalArgumentException("-n must not be negative, got " + count);
        }
        if (ids.length == 0) {
            throw new IllegalArgumentException("--ids needs at least one token id");
        }
        KvPrecision precision = KvPrecision.parse(kvPrecision);
        TokenPicker picker = VectorOps::argmax;
        int[] generated = new int[count];
        long promptNanos;
        long generationNanos;
        try (Model m = LogitsCommand.loadModel(model, LogitsCommand.options(threads, batch))) {
            KvCache kv = m.newKvCache(ids.length + count, 1, precision);
            Logits logits = m.newLogits(1);
            Batch b = m.newBatch();
            int[] next = new int[1];
            long start = System.nanoTime();
            PromptFeeder.feed(m, kv, b, logits, 0, ids, 0, batch, false,
                    (pos, lg, row) -> next[0] = picker.pick(lg.values(), lg.offset(row), lg.vocabSize()));
            promptNanos = System.nanoTime() - start;
            start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                generated[i] = next[0];
                if (i + 1 < count) {
                    b.clear();
                    b.add(next[0], ids.length + i, 0, true);
                    m.forward(b, kv, logits);
                    next[0] = picker.pick(logits.values(), logits.offset(0), logits.vocabSize());
                }
            }
            generationNanos = System.nanoTime() - start;
        }
        double promptRate = ids.length / (promptNanos / 1e9);
        // the first token comes from the prompt pass; count - 1 decode passes made the rest
        double generationRate = count <= 1 ? 0 : (count - 1) / (generationNanos / 1e9);
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("ids", generated);
            out.put("prompt_tokens", ids.length);
            out.put("generated_tokens", count);
            out.put("prompt_tokens_per_second", promptRate);
            out.put("generation_tokens_per_second", generationRate);
            System.out.println(new ObjectMapper().writeValueAsString(out));
        } else {
            System.out.println(Arrays.toString(generated));
            System.out.printf("prompt: %d tokens, %.1f tokens/s; generation: %d tokens, %.1f tokens/s%n", ids.length,
                    promptRate, count, generationRate);
        }
        return 0;
    }
}
