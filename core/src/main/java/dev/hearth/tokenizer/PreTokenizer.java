package dev.hearth.tokenizer;

/**
 * Splits text into the words that byte-level BPE encodes one at a time (the regex step of a Hugging Face
 * tokenizer). Implementations are immutable and thread-safe.
 */
sealed interface PreTokenizer permits ScanningPreTokenizer, RegexPreTokenizer {

    /** Appends to {@code wordEnds} the end index of every word of {@code text[from, to)}, in order. */
    void split(String text, int from, int to, IntList wordEnds);
}
