package dev.hearth.server.local;

import dev.hearth.engine.Engine;
import dev.hearth.server.backend.ModelInfo;

/** One model a {@link LocalBackend} serves: what the listings show, its text side and its engine. */
public record LoadedModel(ModelInfo info, ModelText text, Engine engine) implements AutoCloseable {
    @Override
    public void close() {
        engine.close();
    }
}
