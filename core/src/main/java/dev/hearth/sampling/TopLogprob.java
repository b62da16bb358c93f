package dev.hearth.sampling;

/** One alternative at a position, for logprobs. */
public record TopLogprob(int tokenId, float logprob) {}
