package dev.hearth.server.route;

import dev.hearth.engine.GenerationHandle;
import java.util.List;
import java.util.function.IntFunction;

/**
 * What a backend returns for one {@link GenerationSpec}: one engine handle per choice, all with the same prompt.
 *
 * @param model the model's canonical name
 * @param promptTokens tokens in the prompt (exact, the same for every choice)
 * @param tokenText the text of one token id, for logprobs
 */
public record Generation(String model, int promptTokens, List<GenerationHandle> handles,
        IntFunction<String> tokenText) {

    public Generation {
        handles = List.copyOf(handles);
    }

    /** Cancels every choice (a client went away). */
    public void cancel() {
        handles.forEach(GenerationHandle::cancel);
    }
}
