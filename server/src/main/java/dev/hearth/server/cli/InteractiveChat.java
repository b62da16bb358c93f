package dev.hearth.server.cli;

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
    /**
     * One turn, answered by the command that started the chat (its system prompt, template and sampling): the chat
     * keeps the loop and the history, and does not depend back on the command.
     */
    @FunctionalInterface
    interface Turn {
        /** Streams the answer to {@code user} after {@code history} to {@code out}; returns its text. */
        String answer(String user, List<PromptMessage> history, PrintStream out) throws InterruptedException;
    }

    private final String modelName;
    private final Turn turn;

    InteractiveChat(String modelName, Turn turn) {
        this.modelName = modelName;
        this.turn = turn;
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
            System.out.println("Chatting with " + modelName + ". /bye leaves, /clear forgets the conversation.");
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
            String reply = turn.answer(text, history, out);
            history.add(PromptMessage.of("user", text));
            history.add(PromptMessage.of("assistant", reply));
        }
    }
}
