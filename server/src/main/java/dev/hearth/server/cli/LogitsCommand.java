package dev.hearth.server.cli;

import dev.hearth.engine.PromptLogits;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hearth logits MODEL --ids ...}: the top logits at every position of a teacher-forced prompt, as JSON lines. */
@Command(name = "logits", description = "Print the top logits at every position of a prompt (one JSON line per position).")
final class LogitsCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = ModelArgument.DESCRIPTION)
    String model;

    @Option(names = "--ids", required = true, split = ",", description = "Prompt token ids, comma separated.")
    int[] ids;

    @Option(names = "--top", defaultValue = "10", description = "Logits to print per position (default ${DEFAULT-VALUE}).")
    int top;

    @Mixin
    ThreadsOption threads;

    @Mixin
    BatchOption batch = new BatchOption(64);

    @Override
    public Integer call() throws Exception {
        if (batch.batch < 1) {
            throw new IllegalArgumentException("--batch must be at least 1, got " + batch.batch);
        }
        StringBuilder line = new StringBuilder();
        PromptLogits.topK(ModelArgument.resolve(model).path(), threads.threads(), batch.batch, ids, top, (pos, topIds, topValues) -> {
            line.setLength(0);
            line.append("{\"pos\": ").append(pos).append(", \"top\": [");
            for (int i = 0; i < topIds.length; i++) {
                line.append(i == 0 ? "" : ", ").append("{\"id\": ").append(topIds[i]).append(", \"logit\": ")
                        .append(String.format(Locale.ROOT, "%s", topValues[i])).append('}');
            }
            System.out.println(line.append("]}"));
        });
        return 0;
    }
}
