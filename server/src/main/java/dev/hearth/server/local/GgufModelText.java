package dev.hearth.server.local;

import dev.hearth.engine.TextDecoder;
import dev.hearth.gguf.GgufFile;
import dev.hearth.server.backend.InvalidRequestException;
import dev.hearth.server.backend.PromptMessage;
import dev.hearth.server.chat.ChatMessage;
import dev.hearth.server.chat.ChatOutputFormat;
import dev.hearth.server.chat.ChatTemplate;
import dev.hearth.server.chat.ChatTemplates;
import dev.hearth.server.chat.ToolCall;
import dev.hearth.tokenizer.Detokenizer;
import dev.hearth.tokenizer.TokenType;
import dev.hearth.tokenizer.Tokenizer;
import dev.hearth.tokenizer.Vocabulary;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The text side of a GGUF model: its chat template (or the family's fallback) and tokenizer. A rendered chat is
 * tokenized as llama-server does (the model's BOS, special tokens parsed), so ids match llama.cpp's; but when a
 * message's text contains a control token's text, the template's markup and the messages' texts are tokenized
 * apart, and a user cannot inject control tokens.
 */
public final class GgufModelText implements ModelText {
    private static final char OPEN = '\uE000';
    private static final char CLOSE = '\uE001';
    private final ChatTemplate template;
    private final Tokenizer tokenizer;
    private final Set<Integer> stopIds;
    private final List<String> controlTexts;
    private final ChatOutputFormat outputFormat;
    /** Control tokens that the output parsers read ({@code <|python_tag|>}, {@code [TOOL_CALLS]}): written out. */
    private final int[] markerIds;
    private final String[] markerTexts;

    GgufModelText(ChatTemplate template, Tokenizer tokenizer) {
        this.template = template;
        this.tokenizer = tokenizer;
        Vocabulary v = tokenizer.vocabulary();
        Set<Integer> stops = new HashSet<>();
        Arrays.stream(v.endOfGenerationIds()).forEach(stops::add);
        this.stopIds = Set.copyOf(stops);
        List<String> control = new ArrayList<>();
        for (int id = 0; id < v.size(); id++) {
            if (v.type(id) == TokenType.CONTROL && !v.text(id).isEmpty()) {
                control.add(v.text(id));
            }
        }
        this.controlTexts = List.copyOf(control);
        this.outputFormat = ChatOutputFormat.detect(template.source(), t -> v.idOf(t) != Vocabulary.NONE);
        List<Integer> ids = new ArrayList<>();
        for (String marker : ChatOutputFormat.MARKERS) {
            int id = v.idOf(marker);
            if (id != Vocabulary.NONE && v.type(id).isSpecial()) {
                ids.add(id);
            }
        }
        this.markerIds = ids.stream().mapToInt(Integer::intValue).toArray();
        this.markerTexts = ids.stream().map(v::text).toArray(String[]::new);
    }

    @Override
    public ChatOutputFormat outputFormat() {
        return outputFormat;
    }

    /** @param clock what templates that print today's date read */
    public static GgufModelText create(GgufFile file, Clock clock) {
        ChatTemplate template = ChatTemplates.fromMetadata(file.metadata(), file.path().getFileName().toString(),
                clock, ChatTemplate.Limits.defaults());
        return new GgufModelText(template, Tokenizer.fromGguf(file.metadata()));
    }

    @Override
    public int[] encodeChat(List<PromptMessage> messages, List<Map<String, Object>> tools) {
        boolean injected = messages.stream().anyMatch(m -> containsControl(m.content()));
        if (!injected) {
            return tokenizer.encode(template.render(convert(messages, false), tools, true, Map.of()), true, true);
        }
        List<String> contents = messages.stream().map(PromptMessage::content).toList();
        String rendered = template.render(convert(messages, true), tools, true, Map.of());
        return encodeWithPlainContents(rendered, contents);
    }

    /** Template text with special tokens parsed; each {@code OPEN i CLOSE} marker as plain text content i. */
    private int[] encodeWithPlainContents(String rendered, List<String> contents) {
        List<int[]> parts = new ArrayList<>();
        parts.add(tokenizer.encode("", true, false));
        int at = 0;
        while (at < rendered.length()) {
            int open = rendered.indexOf(OPEN, at);
            if (open < 0) {
                parts.add(tokenizer.encode(rendered.substring(at), false, true));
                break;
            }
            int close = rendered.indexOf(CLOSE, open);
            if (close < 0) {
                throw new InvalidRequestException("messages", "the chat template changed a message text that holds"
                        + " control-token text; remove the control tokens from the messages");
            }
            parts.add(tokenizer.encode(rendered.substring(at, open), false, true));
            int index = Integer.parseInt(rendered.substring(open + 1, close));
            parts.add(tokenizer.encode(contents.get(index), false, false));
            at = close + 1;
        }
        int total = parts.stream().mapToInt(p -> p.length).sum();
        int[] ids = new int[total];
        int n = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, ids, n, p.length);
            n += p.length;
        }
        return ids;
    }

    private boolean containsControl(String text) {
        for (String control : controlTexts) {
            if (text.contains(control)) {
                return true;
            }
        }
        return false;
    }

    /** Converts to the template's messages; with {@code markers}, each text becomes a marker of its index. */
    private static List<ChatMessage> convert(List<PromptMessage> messages, boolean markers) {
        List<ChatMessage> out = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            PromptMessage m = messages.get(i);
            String content = !markers ? m.content() : OPEN + Integer.toString(i) + CLOSE;
            List<ToolCall> calls = m.toolCalls().stream()
                    .map(c -> new ToolCall(c.id(), c.name(), c.arguments())).toList();
            out.add(new ChatMessage(m.role(), content, calls, m.toolCallId(), m.name()));
        }
        return out;
    }

    @Override
    public int[] encodePrompt(String prompt) {
        return tokenizer.encode(prompt, true, false);
    }

    private volatile dev.hearth.grammar.TokenVocabulary grammarVocabulary;

    @Override
    public dev.hearth.grammar.TokenVocabulary grammarVocabulary() {
        dev.hearth.grammar.TokenVocabulary v = grammarVocabulary;
        if (v == null) {
            synchronized (this) {
                v = grammarVocabulary;
                if (v == null) {
                    grammarVocabulary = v = dev.hearth.grammar.TokenVocabulary.of(tokenizer, ChatOutputFormat.MARKERS);
                }
            }
        }
        return v;
    }

    @Override
    public int[] encodeRaw(String text) {
        return tokenizer.encode(text, true, true);
    }

    @Override
    public TextDecoder newDecoder() {
        Detokenizer detokenizer = tokenizer.detokenizer(true, false);
        return new TextDecoder() {
            @Override
            public String append(int tokenId) {
                String text = detokenizer.push(tokenId);
                for (int i = 0; i < markerIds.length; i++) {
                    if (markerIds[i] == tokenId) {
                        return text + markerTexts[i];
                    }
                }
                return text;
            }

            @Override
            public String flush() {
                return detokenizer.finish();
            }
        };
    }

    @Override
    public String tokenText(int tokenId) {
        if (tokenId < 0 || tokenId >= tokenizer.vocabulary().size()) {
            return "";
        }
        return new String(tokenizer.tokenPiece(tokenId, true), StandardCharsets.UTF_8);
    }

    @Override
    public Set<Integer> stopTokenIds() {
        return stopIds;
    }
}
