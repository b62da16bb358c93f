package dev.hearth.server.cli;

import dev.hearth.sampling.SamplingParams;
import dev.hearth.server.local.LoadedModel;
import dev.hearth.server.backend.PromptMessage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * The interactive chat of {@code hearth run MODEL}: a multi-turn conversation through the model's chat template, with
 * line editing and history (JLine) on a terminal and plain lines otherwise. {@code /bye} (or end of input) leaves,
 * {@code /clear} starts over. Earlier turns are re-rendered each time; the engine's prefix cache makes that cheap.
 */
final class InteractiveChat {
    private final RunCommand command;
    private final LoadedModel loaded;
    private final int maxTokens;
    private final SamplingParams params;

    InteractiveChat(RunCommand command, LoadedModel loaded, int maxTokens, SamplingParams params) {
        this.command = command;
        this.loaded = loaded;
        this.maxTokens = maxTokens;
        this.params = params;
    }

    void run() throws IOException, InterruptedException {
        boolean console = System.console() != null && System.console().isTerminal();
        if (!console) {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            converse(in::readLine, System.out);
            return;
        }
        try (Terminal terminal = TerminalBuilder.builder().name("hearth").system(true).build()) {
            LineReader reader = LineReaderBuilder.builder().terminal(terminal).build();
            System.out.println("Chatting with " + loaded.info().name() + ". /bye leaves, /clear forgets the conversation.");
            converse(() -> {
                try {
                    return reader.readLine(">>> ");
                } catch (EndOfFileException | UserInterruptException e) {
                    return null;
                }
            }, System.out);
        }
    }

    /** Where lines come from: null at the end of input. */
    @FunctionalInterface
    interface Lines {
        String next() throws IOException;
    }

    private void converse(Lines lines, PrintStream out) throws IOException, InterruptedException {
        List<PromptMessage> history = new ArrayList<>();
        String line;
        while ((line = lines.next()) != null) {
            String text = line.strip();
            if (text.equals("/bye") || text.equals("/exit")) {
                break;
            }
            if (text.equals("/clear")) {
                history.clear();
                continue;
            }
            if (text.isEmpty()) {
                continue;
            }
            List<PromptMessage> messages = command.conversation(text, history);
            int[] ids = loaded.text().encodeChat(messages, List.of());
            String reply = command.answer(loaded, ids, maxTokens, params, false, out);
            history.add(PromptMessage.of("user", text));
            history.add(PromptMessage.of("assistant", reply));
        }
    }
}
