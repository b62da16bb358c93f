package dev.hearth.server.route;

import dev.hearth.engine.TextDecoder;
import dev.hearth.server.backend.PromptMessage;
import dev.hearth.server.chat.ChatOutputFormat;
import dev.hearth.server.local.ModelText;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The text side of {@link FakeRunner}: UTF-8 bytes as tokens (prompt ids 0..255, answer ids 256..511), a
 * one-line-per-turn chat format.
 */
public final class FakeText implements ModelText {
    private final ChatOutputFormat format;

    public FakeText() {
        this(ChatOutputFormat.PLAIN);
    }

    /** A fake whose answers are parsed as {@code format} says (tool calls, reasoning). */
    public FakeText(ChatOutputFormat format) {
        this.format = format;
    }

    @Override
    public ChatOutputFormat outputFormat() {
        return format;
    }

    /** {@code "system: ...\nuser: Hi\nassistant: "}: what the fake template renders. */
    public static String render(List<PromptMessage> messages) {
        StringBuilder sb = new StringBuilder();
        for (PromptMessage m : messages) {
            sb.append(m.role()).append(": ").append(m.content()).append('\n');
        }
        return sb.append("assistant: ").toString();
    }

    @Override
    public int[] encodeChat(List<PromptMessage> messages, List<Map<String, Object>> tools) {
        return encodePrompt(render(messages));
    }

    @Override
    public int[] encodePrompt(String prompt) {
        byte[] bytes = prompt.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            ids[i] = bytes[i] & 0xFF;
        }
        return ids;
    }

    @Override
    public TextDecoder newDecoder() {
        ByteArrayOutputStream pending = new ByteArrayOutputStream();
        return id -> {
            if (id >= FakeRunner.EOS) {
                return "";
            }
            pending.write(id & 0xFF);
            try {
                String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(pending.toByteArray())).toString();
                pending.reset();
                return s;
            } catch (CharacterCodingException incomplete) {
                return "";
            }
        };
    }

    @Override
    public String tokenText(int tokenId) {
        return tokenId >= FakeRunner.EOS ? "</s>"
                : new String(new byte[] {(byte) tokenId}, StandardCharsets.ISO_8859_1);
    }

    @Override
    public Set<Integer> stopTokenIds() {
        return Set.of(FakeRunner.EOS);
    }
}
