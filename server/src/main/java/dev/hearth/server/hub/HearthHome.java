package dev.hearth.server.hub;

import java.nio.file.Path;

/**
 * Where Hearth keeps its data: system property {@code hearth.home}, else environment variable {@code HEARTH_HOME},
 * else {@code ~/.hearth}. The property exists so tests (which cannot set environment variables) can redirect it.
 */
public final class HearthHome {
    public static final String PROPERTY = "hearth.home";
    public static final String ENVIRONMENT = "HEARTH_HOME";

    private HearthHome() {}

    public static Path resolve() {
        String prop = System.getProperty(PROPERTY);
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop).toAbsolutePath();
        }
        String env = System.getenv(ENVIRONMENT);
        if (env != null && !env.isBlank()) {
            return Path.of(env).toAbsolutePath();
        }
        return Path.of(System.getProperty("user.home"), ".hearth").toAbsolutePath();
    }

    /** Where repacked weights are cached ({@code dev.hearth.kernel.RepackCache}): {@code $HEARTH_HOME/cache}. */
    public static Path repackCache() {
        return resolve().resolve("cache");
    }
}
