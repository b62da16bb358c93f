package dev.hearth.server.chat;

import dev.hearth.gguf.GgufFile;
import dev.hearth.gguf.GgufKeys;
import dev.hearth.gguf.GgufMetadata;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;

/** Builds a model's {@link ChatTemplate} from its GGUF metadata, falling back to the family's format. */
public final class ChatTemplates {
    private ChatTemplates() {}

    public static ChatTemplate fromGguf(Path path) throws IOException {
        return fromGguf(path, Clock.systemDefaultZone(), ChatTemplate.Limits.defaults());
    }

    public static ChatTemplate fromGguf(Path path, Clock clock, ChatTemplate.Limits limits) throws IOException {
        try (GgufFile file = GgufFile.open(path)) {
            return fromMetadata(file.metadata(), path.getFileName().toString(), clock, limits);
        }
    }

    public static ChatTemplate fromMetadata(GgufMetadata metadata, String fallbackName, Clock clock,
                                            ChatTemplate.Limits limits) {
        String name = metadata.getString(GgufKeys.GENERAL_NAME, fallbackName);
        String source = metadata.has(GgufKeys.TOKENIZER_CHAT_TEMPLATE)
                ? metadata.getString(GgufKeys.TOKENIZER_CHAT_TEMPLATE)
                : FallbackTemplates.forFamily(metadata.getString(GgufKeys.GENERAL_ARCHITECTURE, ""),
                        metadata.getString(GgufKeys.TOKENIZER_MODEL, ""));
        String[] tokens = metadata.has(GgufKeys.TOKENIZER_TOKENS) ? metadata.getStringArray(GgufKeys.TOKENIZER_TOKENS)
                : new String[0];
        String bos = token(tokens, metadata.getLong(GgufKeys.TOKENIZER_BOS_ID, -1));
        String eos = token(tokens, metadata.getLong(GgufKeys.TOKENIZER_EOS_ID, -1));
        boolean addBos = metadata.getBoolean(GgufKeys.TOKENIZER_ADD_BOS, false);
        return new ChatTemplate(name, source, bos, eos, addBos, clock, limits);
    }

    private static String token(String[] tokens, long id) {
        return id >= 0 && id < tokens.length ? tokens[(int) id] : "";
    }
}
