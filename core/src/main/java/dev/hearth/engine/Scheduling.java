package dev.hearth.engine;

import java.util.Objects;

/**
 * Who a generation is for, as far as the scheduler cares: the agent (fair share of generated tokens is kept per
 * agent), its priority class and its weight within the fair share.
 *
 * <p>A request carries it explicitly ({@link GenerationRequest#scheduling}); the engine reads nothing else.
 *
 * @param agent an identity; the empty string for anonymous requests (they share one fair-share account)
 * @param weight relative share of generated tokens among agents of the same class (at least 1)
 */
public record Scheduling(String agent, Priority priority, int weight) {
    public static final Scheduling DEFAULT = new Scheduling("", Priority.NORMAL, 1);

    public Scheduling {
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(priority, "priority");
        if (weight < 1) {
            throw new IllegalArgumentException("weight must be at least 1, got " + weight);
        }
    }

    public static Scheduling of(String agent, Priority priority) {
        return new Scheduling(agent, priority, 1);
    }
}
