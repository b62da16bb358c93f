package dev.hearth.bench;

import dev.hearth.sampling.Sampler;
import dev.hearth.sampling.SamplingParams;
import dev.hearth.sampling.TopLogprobs;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of picking one token from a Qwen-sized vocabulary (151,936 logits, Gaussian with std 8 like the fixtures'),
 * with typical settings: top-k 40, top-p 0.95, min-p 0.05, temperature 0.8, repetition/presence/frequency penalties
 * over the last 64 tokens. Also the unbounded path (top-k off, top-p 0.95), greedy, and logprobs (top 5).
 * Run: {@code java -cp "bench/target/hearth-bench.jar:bench/target/lib/*" org.openjdk.jmh.Main SamplerBench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SamplerBench {
    static final int VOCAB = 151_936;

    @Param({"typical", "noTopK", "greedy"})
    public String settings;

    private float[][] logits;
    private int next;
    private Sampler sampler;
    private final TopLogprobs top = new TopLogprobs(5);

    @Setup
    public void setup() {
        Random random = new Random(1);
        logits = new float[8][VOCAB];
        for (float[] row : logits) {
            for (int i = 0; i < VOCAB; i++) row[i] = (float) (random.nextGaussian() * 8);
        }
        SamplingParams params = switch (settings) {
            case "typical" -> new SamplingParams(0.8f, 40, 0.95f, 0.05f, 1.1f, 0.5f, 0.5f, 64, Map.of(), 7L);
            case "noTopK" -> new SamplingParams(0.8f, 0, 0.95f, 0f, 1.1f, 0.5f, 0.5f, 64, Map.of(), 7L);
            default -> new SamplingParams(0f, 0, 1f, 0f, 1f, 0f, 0f, 0, Map.of(), 7L);
        };
        sampler = new Sampler(params, VOCAB);
        for (int i = 0; i < 64; i++) sampler.accept(random.nextInt(VOCAB));
    }

    @Benchmark
    public int sample() {
        float[] row = logits[next++ & 7];
        return sampler.sample(row);
    }

    @Benchmark
    public float sampleWithLogprobs() {
        float[] row = logits[next++ & 7];
        int token = sampler.sample(row);
        Sampler.logprobs(row, VOCAB, token, top);
        return top.chosenLogprob();
    }
}
