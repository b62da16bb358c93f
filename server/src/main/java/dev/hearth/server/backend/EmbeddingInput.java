package dev.hearth.server.backend;

/** One input to embed: a text, or token ids as OpenAI clients may send them (exactly one is set). */
public record EmbeddingInput(String text, int[] ids) {
    public EmbeddingInput {
        if ((text == null) == (ids == null)) {
            throw new IllegalArgumentException("exactly one of text and ids must be given");
        }
    }

    public static EmbeddingInput of(String text) {
        return new EmbeddingInput(text, null);
    }

    public static EmbeddingInput of(int[] ids) {
        return new EmbeddingInput(null, ids.clone());
    }
}
