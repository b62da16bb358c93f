package dev.hearth.server.agents;

import dev.hearth.engine.Priority;
import dev.hearth.engine.Scheduling;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One agent identity: its name, scheduling priority, quotas, where its requests may run, and its weight in the
 * engine's fair share of generated tokens (an agent of weight 2 gets about twice the tokens of one of weight 1 when
 * they compete within a priority class).
 */
public record AgentPolicy(String name, Priority priority, AgentLimits limits, RouteClass routeClass,
        long createdAtMillis, int weight) {
    public static final int MAX_WEIGHT = 1000;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    /** Weight 1. */
    public AgentPolicy(String name, Priority priority, AgentLimits limits, RouteClass routeClass,
            long createdAtMillis) {
        this(name, priority, limits, routeClass, createdAtMillis, 1);
    }

    public AgentPolicy {
        checkName(name);
        Objects.requireNonNull(priority, "priority");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(routeClass, "routeClass");
        checkWeight(weight);
    }

    /** Fair-share weights: 1 to {@link #MAX_WEIGHT}. */
    public static int checkWeight(int weight) {
        if (weight < 1 || weight > MAX_WEIGHT) {
            throw new IllegalArgumentException("weight must be between 1 and " + MAX_WEIGHT + ", got " + weight);
        }
        return weight;
    }

    /** Agent names: 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit. */
    public static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("agent name must be 1 to 64 letters, digits, '.', '_' or '-', got '"
                    + name + "'");
        }
        return name;
    }

    public Scheduling scheduling() {
        return new Scheduling(name, priority, weight);
    }
}
