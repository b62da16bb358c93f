package dev.hearth.server.cli;

import java.nio.file.Path;

/** The fixture lookup of {@link ModelByNameTest}, for tests in other packages. */
public final class ModelByNameTestAccess {
    private ModelByNameTestAccess() {}

    public static Path fixture(String name) {
        return ModelByNameTest.fixture(name);
    }
}
