package dev.hearth.bench;

import dev.hearth.gguf.GgufFile;
import dev.hearth.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
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
 * Encoding throughput on 1 MB of mixed text (English, code, CJK, emoji, numbers), one thread. Time per op is for
 * the whole megabyte, so MB/s = 1000 / (ms/op) * (bytes / 1e6). Run:
 * {@code java -cp 'bench/target/hearth-bench.jar:bench/target/lib/*' --add-modules jdk.incubator.vector
 * -Dhearth.fixtures=../shared/fixtures org.openjdk.jmh.Main TokenizerBench}, or the {@link #main} for a quick
 * median of repeated runs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g"})
public class TokenizerBench {
    static final int TEXT_BYTES = 1_000_000;

    @Param({"llama3-fx-F16.gguf", "qwen2-fx-Q8_0.gguf", "mixtral-fx-F32.gguf"})
    public String model;

    Tokenizer tokenizer;
    String text;

    @Setup
    public void setUp() {
        tokenizer = load(model);
        text = mixedText(TEXT_BYTES, 42);
    }

    @Benchmark
    public int[] encode() {
        return tokenizer.encode(text, true, false);
    }

    static Tokenizer load(String modelFile) {
        Path root = Path.of(System.getProperty("hearth.fixtures", "../shared/fixtures"));
        try (GgufFile f = GgufFile.open(root.resolve("models").resolve(modelFile))) {
            return Tokenizer.fromGguf(f.metadata());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final String[] ENGLISH = ("the of and to in is was that for it with as on be at by this had not are "
            + "but from or have an they which one you were her all she there would their we him been has when who will "
            + "more no if out so said what up its about into than them can only other new some could time these two may "
            + "then do first any my now such like our over man me even most made after also did many before must through "
            + "lighthouse keeper harbour weather lantern signal coast storm island morning evening river mountain village "
            + "engineer question answer history improvement important government between however although").split(" ");
    private static final String[] CODE = {
        "public static int fib(int n) {\n    return n < 2 ? n : fib(n - 1) + fib(n - 2);\n}\n",
        "def parse(line):\n    key, _, value = line.partition('=')\n    return key.strip(), value.strip()\n",
        "for (int i = 0; i < items.size(); i++) { total += items.get(i).price() * 1.2; }\n",
        "const result = await fetch(`/api/v1/users/${id}`, { method: 'GET' });\n",
        "if x_max >= 0x7F and not buf:\n\traise ValueError(\"bad byte: %r\" % buf)\n"};
    private static final String[] EMOJI = {"🚀", "🦙", "😀", "👩🏽‍💻", "❤️", "✅", "🇯🇵", "🎉", "👍🏻"};

    /** Deterministic mixed text of about {@code bytes} UTF-8 bytes. */
    static String mixedText(int bytes, long seed) {
        Random r = new Random(seed);
        StringBuilder sb = new StringBuilder(bytes);
        int utf8 = 0;
        while (utf8 < bytes) {
            StringBuilder part = new StringBuilder();
            switch (r.nextInt(10)) {
                case 0, 1, 2, 3, 4 -> {
                    int words = 20 + r.nextInt(40);
                    for (int i = 0; i < words; i++) {
                        String w = ENGLISH[r.nextInt(ENGLISH.length)];
                        part.append(i == 0 ? Character.toUpperCase(w.charAt(0)) + w.substring(1) : w);
                        part.append(r.nextInt(12) == 0 ? ", " : " ");
                    }
                    part.setLength(part.length() - 1);
                    part.append(r.nextBoolean() ? ". " : ".\n");
                }
                case 5, 6 -> part.append(CODE[r.nextInt(CODE.length)]);
                case 7 -> {
                    int chars = 10 + r.nextInt(30);
                    for (int i = 0; i < chars; i++) {
                        part.append((char) (0x4E00 + r.nextInt(2000)));
                    }
                    part.append(r.nextBoolean() ? "。" : "，");
                }
                case 8 -> {
                    part.append(r.nextInt(100000)).append(' ').append(r.nextDouble() * 1000).append(" ")
                            .append(r.nextLong()).append(", ");
                }
                default -> part.append(EMOJI[r.nextInt(EMOJI.length)]).append(' ');
            }
            sb.append(part);
            utf8 += part.toString().getBytes(StandardCharsets.UTF_8).length;
        }
        return sb.toString();
    }

    /**
     * Quick timing without JMH: median MB/s of repeated encodes, per fixture model given as arguments, by wall clock
     * and by the thread's CPU time (the fairer figure on a shared machine).
     */
    public static void main(String[] args) {
        String text = mixedText(TEXT_BYTES, 42);
        double megabytes = text.getBytes(StandardCharsets.UTF_8).length / 1e6;
        String[] models = args.length > 0 ? args
                : new String[] {"llama3-fx-F16.gguf", "qwen2-fx-Q8_0.gguf", "mixtral-fx-F32.gguf"};
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        for (String m : models) {
            long t0 = System.nanoTime();
            long cpu0 = threads.getCurrentThreadCpuTime();
            Tokenizer t = load(m);
            long built = System.nanoTime();
            long cpuBuilt = threads.getCurrentThreadCpuTime();
            int count = t.encode(text, true, false).length;
            double coldSeconds = (System.nanoTime() - built) / 1e9;
            double coldCpuSeconds = (threads.getCurrentThreadCpuTime() - cpuBuilt) / 1e9;
            double[] rates = new double[15];
            double[] cpuRates = new double[rates.length];
            for (int i = 0; i < rates.length; i++) {
                long s = System.nanoTime();
                long c = threads.getCurrentThreadCpuTime();
                t.encode(text, true, false);
                cpuRates[i] = megabytes / ((threads.getCurrentThreadCpuTime() - c) / 1e9);
                rates[i] = megabytes / ((System.nanoTime() - s) / 1e9);
            }
            Arrays.sort(rates);
            Arrays.sort(cpuRates);
            System.out.printf("%s: load %.0f ms (CPU %.0f ms), %d tokens for %.2f MB, first encode %.1f MB/s (CPU %.1f),"
                    + " warm median %.1f MB/s (min %.1f, max %.1f), by CPU time median %.1f MB/s%n", m,
                    (built - t0) / 1e6, (cpuBuilt - cpu0) / 1e6, count, megabytes, megabytes / coldSeconds,
                    megabytes / coldCpuSeconds, rates[rates.length / 2], rates[0], rates[rates.length - 1],
                    cpuRates[cpuRates.length / 2]);
        }
    }
}
