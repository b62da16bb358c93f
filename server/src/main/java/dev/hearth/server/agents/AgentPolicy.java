package dev.hearth.server.agents;

import dev.hearth.engine.Priority;
import dev.hearth.engine.Scheduling;
import java.util.Objects;
import java.util.regex.Pattern;

/** One agent identity: its name, scheduling priority, quotas and where its requests may run. */
public record AgentPolicy(String name, Priority priority, AgentLimits limits, RouteClass routeClass,
        long createdAtMillis) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    public AgentPolicy {
        checkName(name);
        Objects.requireNonNull(priority, "priority");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(routeClass, "routeClass");
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
        return Scheduling.of(name, priority);
    }
}
