package dev.hearth.server.chat;

import java.util.List;
import java.util.Set;

/**
 * The tool-call stage of answer parsing for one model family: finds the family's call markup in the answer text
 * and turns it into {@link ToolCall}s. Text around calls stays content (blank text after a call is dropped); a call
 * that does not parse is given back as content, as written. One per answer, from
 * {@link ToolCallFormat#newParser} (the format names the parsers; a parser never names the format).
 */
abstract sealed class ToolCallParser implements TextStage
        permits QwenToolCallParser, LlamaToolCallParser, MistralToolCallParser {
    /** Names of the functions offered; a call naming another one is not a call. Empty: any name. */
    protected final Set<String> allowedNames;
    private int calls;
    private boolean afterCall;

    protected ToolCallParser(Set<String> allowedNames) {
        this.allowedNames = Set.copyOf(allowedNames);
    }

    protected final void content(String text, OutputSink out) {
        if (afterCall) {
            int start = Markers.firstNonSpace(text);
            if (start == text.length()) {
                return;
            }
            text = text.substring(start);
            afterCall = false;
        }
        if (!text.isEmpty()) {
            out.content(text);
        }
    }

    protected final void calls(List<ToolCall> parsed, OutputSink out) {
        for (ToolCall call : parsed) {
            out.toolCall(calls++, call);
        }
        afterCall = true;
    }
}
