package dev.hearth.tokenizer;

/** Token types as stored in {@code tokenizer.ggml.token_type} (llama.cpp's {@code llama_token_type}). */
public enum TokenType {
    UNDEFINED, NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE;

    private static final TokenType[] BY_CODE = values();

    /** The type with GGUF code {@code code} (0..6). */
    public static TokenType of(int code, int tokenId) {
        if (code < 0 || code >= BY_CODE.length) {
            throw new IllegalArgumentException("tokenizer.ggml.token_type[" + tokenId + "] = " + code
                    + " is not a token type (0..6)");
        }
        return BY_CODE[code];
    }

    /** CONTROL and UNKNOWN tokens: hidden when special tokens are not rendered, not parsed unless asked. */
    public boolean isSpecial() {
        return this == CONTROL || this == UNKNOWN;
    }
}
