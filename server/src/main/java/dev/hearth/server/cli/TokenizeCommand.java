package dev.hearth.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.gguf.GgufFile;
import dev.hearth.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hearth tokenize MODEL [--json] [--special] -- TEXT}: the token ids of a text. */
@Command(name = "tokenize", description = "Print the token ids of a text (with the model's BOS/EOS).")
final class TokenizeCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = ModelArgument.DESCRIPTION)
    String model;

    @Parameters(index = "1", paramLabel = "TEXT", description = "The text, or - to read standard input.")
    String text;

    @Option(names = "--json", description = "Print {\"ids\": [...]}.")
    boolean json;

    @Option(names = "--special", description = "Parse special-token texts (e.g. <|im_end|>) as those tokens.")
    boolean special;

    @Override
    public Integer call() throws Exception {
        Tokenizer tokenizer = loadTokenizer(model);
        String input = "-".equals(text) ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8) : text;
        int[] ids = tokenizer.encode(input, true, special);
        PrintStream out = System.out;
        StringBuilder sb = new StringBuilder();
        ObjectMapper mapper = new ObjectMapper();
        if (json) {
            sb.append(mapper.writeValueAsString(Map.of("ids", ids))).append('\n');
        } else {
            for (int id : ids) {
                sb.append(id).append('\t').append(describe(mapper, tokenizer.tokenPiece(id, true))).append('\n');
            }
        }
        out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
        return 0;
    }

    /** The tokenizer of a model named on the command line (a file, a stored or a catalogue model). */
    static Tokenizer loadTokenizer(String model) throws IOException {
        try (GgufFile file = GgufFile.open(ModelArgument.resolve(model).path())) {
            return Tokenizer.fromGguf(file.metadata());
        }
    }

    /** A piece as a JSON string, or as hex bytes when it is not whole UTF-8 characters. */
    private static String describe(ObjectMapper mapper, byte[] piece) throws Exception {
        try {
            String s = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(piece)).toString();
            return mapper.writeValueAsString(s);
        } catch (CharacterCodingException e) {
            return "<0x" + HexFormat.ofDelimiter(" 0x").withUpperCase().formatHex(piece) + ">";
        }
    }
}
