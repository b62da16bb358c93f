package dev.hearth.engine;

import java.util.Locale;

/**
 * Strict scheduling classes: a waiting sequence of a better class is admitted first, a running sequence of a worse
 * class is preempted first. Waiting sequences age into better classes so that {@link #LOW} still progresses.
 */
public enum Priority {
    HIGH, NORMAL, LOW;

    /** {@code high}, {@code normal} or {@code low}, any case. */
    public static Priority parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("priority must be high, normal or low, got '" + text + "'");
        }
    }

    public String apiName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
