package dev.hearth.engine;

import dev.hearth.sampling.TopLogprob;
import java.util.List;

/** What a running generation reports to its handle, in order: tokens, then exactly one {@link Done}. */
public sealed interface GenerationEvent {

    /** One generated token; {@code text} is the text now safe to emit (may be empty while a stop string is pending). */
    record Token(int tokenId, String text, float logprob, List<TopLogprob> topLogprobs) implements GenerationEvent {}

    /** The end: why, the exact token counts, and timings. {@code error} is set only for {@link FinishReason#ERROR}. */
    record Done(FinishReason reason, String text, int promptTokens, int generatedTokens, long timeToFirstTokenNanos,
            long totalNanos, String error) implements GenerationEvent {}
}
