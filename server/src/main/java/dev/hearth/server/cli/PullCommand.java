package dev.hearth.server.cli;

import dev.hearth.server.hub.Bytes;
import dev.hearth.server.hub.ModelManifest;
import dev.hearth.server.hub.PullEvent;
import dev.hearth.server.hub.PullListener;
import dev.hearth.server.hub.Puller;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hearth pull REF}: downloads a model from Hugging Face into the local store. */
@Command(name = "pull", description = {"Download a model: a catalogue name (qwen2.5:7b, qwen2.5:7b-q8_0) or",
        "hf://OWNER/REPO[:QUANT | /FILE.gguf][@REVISION]. Interrupted pulls resume.",
        "Environment: HEARTH_HOME (store), HF_ENDPOINT, HF_TOKEN."})
final class PullCommand implements Callable<Integer> {
    @Parameters(paramLabel = "REF", description = "What to pull.")
    String ref;

    @Option(names = "--plain", description = "Plain progress lines even on a terminal.")
    boolean plain;

    @Override
    public Integer call() throws Exception {
        boolean terminal = !plain && System.console() != null && System.console().isTerminal();
        ModelManifest m;
        try (Progress progress = terminal ? new BarProgress() : new LineProgress(System.out)) {
            m = Puller.fromEnvironment().pull(ref, progress);
        }
        System.out.printf("pulled %s (%s, %s, %s) from %s@%s%n", m.name(), m.architecture(), m.quantization(),
                Bytes.format(m.totalSize()), m.source(), m.revision());
        return 0;
    }

    private interface Progress extends PullListener, AutoCloseable {
        @Override
        void close();
    }

    /** A progress bar with bytes, rate and ETA, for a terminal. */
    private static final class BarProgress implements Progress {
        private ProgressBar bar;

        @Override
        public void onEvent(PullEvent event) {
            switch (event) {
                case PullEvent.Resolving r -> System.out.printf("resolving %s: connecting to %s for %s@%s%n",
                        r.ref(), r.endpoint(), r.repo(), r.revision());
                case PullEvent.Resolved r -> {
                    System.out.printf("%d file(s), %s, commit %s%n", r.files().size(), Bytes.format(r.totalBytes()),
                            r.commit());
                    boolean big = r.totalBytes() >= 100_000_000L;
                    bar = new ProgressBarBuilder().setTaskName("pull").setInitialMax(r.totalBytes())
                            .setUnit(big ? " MB" : " kB", big ? 1_000_000 : 1_000).showSpeed().setStyle(ProgressBarStyle.ASCII)
                            .continuousUpdate().build();
                }
                case PullEvent.Progress p -> bar.stepTo(p.totalBytes());
                case PullEvent.Retrying r -> {
                    if (bar == null) {  // still reaching the Hub: no bar yet
                        System.out.printf("retry %d of %d in %d ms for %s: %s%n", r.attempt(), r.maxAttempts(),
                                r.delayMillis(), r.file(), r.reason());
                    } else {
                        bar.setExtraMessage(" retry " + r.attempt() + "/" + r.maxAttempts());
                    }
                }
                case PullEvent.FileStarted f -> bar.setExtraMessage(" " + f.file());
                case PullEvent.FileDone f -> { }
                case PullEvent.Done d -> bar.stepTo(bar.getMax());
            }
        }

        @Override
        public void close() {
            if (bar != null) {
                bar.close();
            }
        }
    }

    /** Plain lines (logs, pipes): at most one progress line every 5% or 10 seconds. */
    static final class LineProgress implements Progress {
        private final PrintStream out;
        private long lastBytes = -1;
        private long lastAt;
        private long startedAt;
        private long startBytes;

        LineProgress(PrintStream out) {
            this.out = out;
        }

        @Override
        public void onEvent(PullEvent event) {
            switch (event) {
                case PullEvent.Resolving r -> out.printf("resolving %s: connecting to %s for %s@%s%n", r.ref(),
                        r.endpoint(), r.repo(), r.revision());
                case PullEvent.Resolved r -> out.printf("%d file(s), %s, commit %s%n", r.files().size(),
                        Bytes.format(r.totalBytes()), r.commit());
                case PullEvent.FileStarted f -> {
                    out.printf("%s %s (%s)%n", f.resumedFrom() > 0 ? "resuming" : "downloading", f.file(),
                            f.resumedFrom() > 0 ? "from " + Bytes.format(f.resumedFrom()) + " of "
                                    + Bytes.format(f.size()) : Bytes.format(f.size()));
                    startedAt = System.nanoTime();
                    startBytes = -1;
                }
                case PullEvent.Progress p -> line(p);
                case PullEvent.Retrying r -> out.printf("retry %d of %d in %d ms for %s: %s%n", r.attempt(),
                        r.maxAttempts(), r.delayMillis(), r.file(), r.reason());
                case PullEvent.FileDone f -> out.printf("%s %s sha256 %s%n", f.alreadyPresent() ? "have" : "verified",
                        f.file(), f.sha256());
                case PullEvent.Done d -> { }
            }
        }

        private void line(PullEvent.Progress p) {
            long now = System.nanoTime();
            if (startBytes < 0) {
                startBytes = p.totalBytes();
                startedAt = now;
            }
            boolean step = lastBytes < 0 || p.totalBytes() - lastBytes >= p.totalSize() / 20
                    || now - lastAt > 10_000_000_000L || p.totalBytes() == p.totalSize();
            if (!step) {
                return;
            }
            double seconds = Math.max(1e-3, (now - startedAt) / 1e9);
            double rate = (p.totalBytes() - startBytes) / seconds;
            long eta = rate > 0 ? (long) ((p.totalSize() - p.totalBytes()) / rate) : -1;
            out.printf("%5.1f%%  %s / %s  %s/s  ETA %s%n", 100.0 * p.totalBytes() / Math.max(1, p.totalSize()),
                    Bytes.format(p.totalBytes()), Bytes.format(p.totalSize()), Bytes.format((long) rate),
                    eta < 0 ? "?" : String.format("%d:%02d:%02d", eta / 3600, eta / 60 % 60, eta % 60));
            lastBytes = p.totalBytes();
            lastAt = now;
        }

        @Override
        public void close() {
            out.flush();
        }
    }
}
