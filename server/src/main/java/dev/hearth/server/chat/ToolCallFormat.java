package dev.hearth.server.chat;

import java.util.Set;
import java.util.function.Predicate;

/** How a model family writes tool calls, chosen from its chat template and vocabulary. */
public enum ToolCallFormat {
    /** No known call markup: tool calls are not parsed. */
    NONE,
    /** Qwen 2.5 / Qwen3 and other Hermes-style templates: {@code <tool_call>{json}</tool_call>}. */
    QWEN,
    /** Llama 3.1 / 3.2: a JSON object {@code {"name", "parameters"}} or {@code <|python_tag|>}. */
    LLAMA3,
    /** Mistral: {@code [TOOL_CALLS] [{...}]}. */
    MISTRAL;

    /**
     * @param template the chat template's source
     * @param hasToken whether the vocabulary has a token spelled exactly so
     */
    public static ToolCallFormat detect(String template, Predicate<String> hasToken) {
        String t = template == null ? "" : template;
        if (t.contains(QwenToolCallParser.OPEN) || hasToken.test(QwenToolCallParser.OPEN)
                && t.contains("<|im_start|>")) {
            return QWEN;
        }
        if (t.contains(MistralToolCallParser.MARKER) || hasToken.test(MistralToolCallParser.MARKER)) {
            return MISTRAL;
        }
        if (t.contains("<|start_header_id|>") && (t.contains("tools") || hasToken.test(LlamaToolCallParser.PYTHON_TAG))) {
            return LLAMA3;
        }
        return NONE;
    }

    /** The parser of this family's calls for one answer, or null for {@link #NONE}. */
    ToolCallParser newParser(Set<String> allowedNames) {
        return switch (this) {
            case NONE -> null;
            case QWEN -> new QwenToolCallParser(allowedNames);
            case LLAMA3 -> new LlamaToolCallParser(allowedNames);
            case MISTRAL -> new MistralToolCallParser(allowedNames);
        };
    }
}
