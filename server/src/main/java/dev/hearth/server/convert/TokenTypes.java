package dev.hearth.server.convert;

/**
 * The token types of {@code tokenizer.ggml.token_type}, as llama.cpp numbers them, and convert_hf_to_gguf's rule for
 * added tokens that look special. Shared by the byte-level and the SentencePiece readers, so neither depends on the
 * other for them.
 */
final class TokenTypes {
    static final int NORMAL = 1;
    static final int UNKNOWN = 2;
    static final int CONTROL = 3;
    static final int USER_DEFINED = 4;
    static final int UNUSED = 5;
    static final int BYTE = 6;

    private TokenTypes() {}

    /** convert_hf_to_gguf's does_token_look_special. */
    static boolean looksSpecial(String t) {
        return t.equals("<pad>") || t.equals("<mask>") || t.equals("<2mass>") || t.equals("[@BOS@]")
                || (t.startsWith("<|") && t.endsWith("|>")) || (t.startsWith("<｜") && t.endsWith("｜>"))
                || (t.startsWith("<unused") && t.endsWith(">"));
    }
}
