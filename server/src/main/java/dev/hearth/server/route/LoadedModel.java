package dev.hearth.server.route;

import dev.hearth.engine.Engine;

/** One model a {@link LocalBackend} serves: what the listings show, its text side and its engine. */
public record LoadedModel(ModelInfo info, ModelText text, Engine engine) implements AutoCloseable {
    @Override
    public void close() {
        engine.close();
    }
}
