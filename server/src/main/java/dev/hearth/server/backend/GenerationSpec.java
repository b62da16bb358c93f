package dev.hearth.server.backend;

import java.util.List;
import java.util.Map;

/**
 * One request to a backend, protocol-neutral: either a conversation ({@code messages}, rendered with the model's chat
 * template) or a raw {@code prompt} (tokenized as is).
 *
 * @param maxTokens most tokens per choice; null means until the context is full
 * @param tools function definitions in OpenAI's JSON shape, handed to the chat template
 * @param choices how many independent generations (OpenAI {@code n})
 * @param toolChoice whether and which tools the answer may call ({@link ToolChoice#AUTO} when null)
 * @param keepAlive how long the model stays loaded after this request (Ollama's {@code keep_alive}); null: the
 *     server's default, negative: forever, zero: unload when done
 */
public record GenerationSpec(String model, List<PromptMessage> messages, String prompt,
        List<Map<String, Object>> tools, Integer maxTokens, List<String> stop, SamplingSettings sampling,
        int choices, ToolChoice toolChoice, java.time.Duration keepAlive, dev.hearth.grammar.Grammar grammar) {

    /** Without an output grammar. */
    public GenerationSpec(String model, List<PromptMessage> messages, String prompt, List<Map<String, Object>> tools,
            Integer maxTokens, List<String> stop, SamplingSettings sampling, int choices, ToolChoice toolChoice,
            java.time.Duration keepAlive) {
        this(model, messages, prompt, tools, maxTokens, stop, sampling, choices, toolChoice, keepAlive, null);
    }

    public GenerationSpec(String model, List<PromptMessage> messages, String prompt, List<Map<String, Object>> tools,
            Integer maxTokens, List<String> stop, SamplingSettings sampling, int choices) {
        this(model, messages, prompt, tools, maxTokens, stop, sampling, choices, ToolChoice.AUTO, null, null);
    }

    public GenerationSpec {
        if ((messages == null) == (prompt == null)) {
            throw new IllegalArgumentException("exactly one of messages and prompt must be given");
        }
        messages = messages == null ? null : List.copyOf(messages);
        tools = tools == null ? List.of() : List.copyOf(tools);
        stop = stop == null ? List.of() : List.copyOf(stop);
        sampling = sampling == null ? SamplingSettings.defaults() : sampling;
        toolChoice = toolChoice == null ? ToolChoice.AUTO : toolChoice;
        if (choices < 1) {
            throw new IllegalArgumentException("choices must be at least 1, got " + choices);
        }
    }

    public boolean isChat() {
        return messages != null;
    }

    public static GenerationSpec chat(String model, List<PromptMessage> messages, Integer maxTokens) {
        return new GenerationSpec(model, messages, null, List.of(), maxTokens, List.of(), null, 1);
    }
}
