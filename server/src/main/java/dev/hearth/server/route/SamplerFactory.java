package dev.hearth.server.route;

import dev.hearth.engine.TokenSampler;
import java.util.function.Supplier;

/** Turns API sampling settings into the engine's per-sequence sampler factory. */
final class SamplerFactory {
    private SamplerFactory() {}

    static Supplier<TokenSampler> forSettings(SamplingSettings settings) {
        return TokenSampler::greedy;
    }
}
