package dev.hearth.server.agents;

import dev.hearth.engine.Priority;
import dev.hearth.engine.Scheduling;

/**
 * Who is calling: an agent with its policy, the admin, or anonymous (policy null for the last two). Named by
 * {@link AgentGate#identify} and carried by each {@link AgentCall}; its own file so that the call does not depend back
 * on the gate.
 */
public record Caller(String agent, AgentPolicy policy, boolean admin, Priority priority) {
    public Scheduling scheduling() {
        return new Scheduling(agent, priority, policy == null ? 1 : policy.weight());
    }
}
