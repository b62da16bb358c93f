package dev.hearth.server.local;

import dev.hearth.engine.TextDecoder;
import dev.hearth.server.backend.PromptMessage;
import dev.hearth.server.backend.UnsupportedFeatureException;
import dev.hearth.server.chat.ChatOutputFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The text side of one loaded model: its chat template and tokenizer. Special tokens are recognized only in the
 * template's own markup, never in user text.
 */
public interface ModelText {

    /** Renders the conversation with the generation prompt and tokenizes it. */
    int[] encodeChat(List<PromptMessage> messages, List<Map<String, Object>> tools);

    /** Tokenizes a raw completion prompt (BOS as the model asks; special-token text stays plain text). */
    int[] encodePrompt(String prompt);

    /**
     * Tokenizes text as is for a trusted caller (the CLI's raw mode): BOS as the model asks, special-token text parsed,
     * as llama-completion does.
     */
    default int[] encodeRaw(String text) {
        return encodePrompt(text);
    }

    /** The token byte strings for grammar-constrained decoding (built once, on first use). */
    default dev.hearth.grammar.TokenVocabulary grammarVocabulary() {
        throw new UnsupportedFeatureException("this model does not support constrained output");
    }

    /** A fresh incremental decoder for one sequence. */
    TextDecoder newDecoder();

    /** The text of one token, for logprobs. */
    String tokenText(int tokenId);

    /** Ids that end a generation (EOS, end-of-turn). */
    Set<Integer> stopTokenIds();

    /** How this model writes tool calls and reasoning in its answers. */
    default ChatOutputFormat outputFormat() {
        return ChatOutputFormat.PLAIN;
    }
}
