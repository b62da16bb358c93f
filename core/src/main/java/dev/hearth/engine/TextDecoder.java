package dev.hearth.engine;

/** Turns one sequence's generated ids into text deltas that never split a character. One instance per sequence. */
public interface TextDecoder {
    /** The text that token adds (possibly empty while a multi-byte character is incomplete). */
    String append(int tokenId);

    /** Whatever is still held back at the end. */
    default String flush() {
        return "";
    }
}
