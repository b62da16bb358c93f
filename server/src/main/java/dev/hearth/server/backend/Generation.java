package dev.hearth.server.backend;

import dev.hearth.engine.GenerationHandle;
import dev.hearth.server.chat.ChatOutputFormat;
import dev.hearth.server.chat.ChatOutputParser;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * What a backend returns for one {@link GenerationSpec}: one engine handle per choice, all with the same prompt.
 *
 * @param model the model's canonical name
 * @param promptTokens tokens in the prompt (exact, the same for every choice)
 * @param tokenText the text of one token id, for logprobs
 * @param parsers a fresh parser per choice that splits the answer text into content, reasoning and tool calls;
 *     null: the text is all content
 */
public record Generation(String model, int promptTokens, List<GenerationHandle> handles,
        IntFunction<String> tokenText, Supplier<ChatOutputParser> parsers) {

    public Generation {
        handles = List.copyOf(handles);
    }

    public Generation(String model, int promptTokens, List<GenerationHandle> handles, IntFunction<String> tokenText) {
        this(model, promptTokens, handles, tokenText, null);
    }

    /** A parser for one choice's answer (a plain one when the generation has none). */
    public ChatOutputParser newParser() {
        return parsers == null ? ChatOutputFormat.PLAIN.newParser(java.util.Set.of(), "") : parsers.get();
    }

    /** Cancels every choice (a client went away). */
    public void cancel() {
        handles.forEach(GenerationHandle::cancel);
    }
}
