package dev.hearth.server.cli;

import dev.hearth.tokenizer.Tokenizer;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hearth detokenize MODEL --ids 1,2,3}: the text of token ids. */
@Command(name = "detokenize", description = "Print the text of token ids.")
final class DetokenizeCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = ModelArgument.DESCRIPTION)
    String model;

    @Option(names = "--ids", required = true, paramLabel = "ID,ID,...", description = "Comma-separated token ids.")
    String ids;

    @Option(names = "--skip-special", description = "Drop the leading BOS and do not write control tokens.")
    boolean skipSpecial;

    @Override
    public Integer call() throws Exception {
        int[] parsed = parseIds(ids);
        Tokenizer tokenizer = TokenizeCommand.loadTokenizer(model);
        byte[] text = tokenizer.decodeBytes(parsed, skipSpecial, !skipSpecial);
        PrintStream out = System.out;
        out.write(text);
        out.write('\n');
        out.flush();
        return 0;
    }

    static int[] parseIds(String list) {
        String trimmed = list.strip();
        if (trimmed.isEmpty()) {
            return new int[0];
        }
        String[] parts = trimmed.split("\\s*,\\s*");
        int[] result = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                result[i] = Integer.parseInt(parts[i].strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--ids: '" + parts[i] + "' is not a token id");
            }
        }
        return result;
    }
}
