package dev.hearth.tokenizer;

import java.util.List;

/**
 * Token texts llama.cpp recognises by spelling (its vocabulary loader): end-of-turn, end-of-message, fill-in-the-middle
 * and end-of-generation tokens. A token found this way is forced to CONTROL, as llama.cpp does.
 */
final class SpecialTokenNames {
    private SpecialTokenNames() {}

    static final List<String> END_OF_TURN = List.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>",
            "<|endoftext|>", "<EOT>", "_<EOT>", "<｜end▁of▁sentence｜>", "<end_of_utterance>");

    static final List<String> END_OF_MESSAGE = List.of("<|eom_id|>");

    static final List<String> FILL_IN_THE_MIDDLE = List.of(
            "<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<PRE>", "▁<PRE>", "<｜fim▁begin｜>",
            "<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<SUF>", "▁<SUF>", "<｜fim▁hole｜>",
            "<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<MID>", "▁<MID>", "<｜fim▁end｜>",
            "<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>",
            "<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>",
            "<|file_sep|>", "<|file_separator|>", "<fim-sep>", "<fim_sep>");

    /** FIM tokens that also end generation (pad, repo, separator). */
    static final List<String> FILL_IN_THE_MIDDLE_END = List.of("<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>",
            "<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>",
            "<|file_sep|>", "<|file_separator|>", "<fim-sep>", "<fim_sep>");

    static final List<String> END_OF_GENERATION = List.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>",
            "<|call|>", "<end_of_turn>", "<|endoftext|>", "<|eom_id|>", "<EOT>", "_<EOT>", "<|end_of_text|>",
            "<end_of_utterance>", "</s>");
}
