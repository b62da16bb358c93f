package dev.hearth.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates ../shared/fixtures (system property hearth.fixtures). A missing fixture fails the test, never skips it. */
public final class Fixtures {
    private Fixtures() {}

    public static Path root() {
        Path root = Path.of(System.getProperty("hearth.fixtures", "../shared/fixtures")).toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            throw new AssertionError("fixtures folder not found: " + root + " (set -Dhearth.fixtures)");
        }
        return root;
    }

    public static Path model(String fileName) {
        return existing(root().resolve("models").resolve(fileName));
    }

    public static Path reference(String fileName) {
        return existing(root().resolve("reference").resolve(fileName));
    }

    private static Path existing(Path p) {
        if (!Files.isRegularFile(p)) {
            throw new AssertionError("fixture missing: " + p);
        }
        return p;
    }

    public static final String[] MODELS = {
        "llama3-fx-F16.gguf", "llama3-fx-Q4_0.gguf", "mixtral-fx-F32.gguf", "mixtral-fx-Q4_0.gguf",
        "qwen2-fx-Q8_0.gguf", "qwen2-kq-fx-Q4_K_M.gguf", "qwen3-fx-Q8_0.gguf"
    };
}
