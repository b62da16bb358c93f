package dev.hearth.tokenizer;

/** A pre-tokenizer written as a scanner: each word ends where {@link #wordEnd} says, from where the last one ended. */
sealed interface ScanningPreTokenizer extends PreTokenizer permits Llama3PreTokenizer, Gpt2PreTokenizer {

    /** The end of the word that starts at {@code pos} ({@code pos < end}). */
    int wordEnd(String s, int pos, int end);

    @Override
    default void split(String text, int from, int to, IntList wordEnds) {
        int pos = from;
        while (pos < to) {
            pos = wordEnd(text, pos, to);
            wordEnds.add(pos);
        }
    }
}
