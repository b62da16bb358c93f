package dev.hearth.engine;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fair-share accounts of the agents with work in one engine (engine thread only), and what other threads may
 * read of them: Jain's fairness index over the weighted tokens generated per agent, and tokens per agent. Idle
 * accounts beyond {@link #MAX_IDLE_ACCOUNTS} are dropped, so the map stays bounded however many agents pass by.
 */
final class FairShare {
    static final int MAX_IDLE_ACCOUNTS = 1024;
    private final Map<String, AgentShare> shares = new HashMap<>();
    private volatile double jainIndex = 1.0;
    private volatile Map<String, Long> generatedByAgent = Map.of();

    /** Opens (or reuses) the agent's account for one more queued sequence. */
    AgentShare join(Scheduling scheduling) {
        AgentShare a = shares.computeIfAbsent(scheduling.agent(), k -> new AgentShare(k, scheduling.weight()));
        a.weight = scheduling.weight();
        if (a.queued == 0) {
            // an agent coming back starts level with the least-served active agent: idle time banks no credit
            double floor = Double.POSITIVE_INFINITY;
            for (AgentShare other : shares.values()) {
                if (other.queued > 0) {
                    floor = Math.min(floor, other.virtualService);
                }
            }
            if (floor != Double.POSITIVE_INFINITY) {
                a.virtualService = Math.max(a.virtualService, floor);
            }
        }
        a.queued++;
        return a;
    }

    /** One of the agent's sequences ended; refreshes what other threads read. */
    void leave(AgentShare a) {
        a.queued--;
        if (shares.size() > MAX_IDLE_ACCOUNTS) {
            for (Iterator<AgentShare> it = shares.values().iterator(); it.hasNext(); ) {
                if (it.next().queued == 0) {
                    it.remove();
                }
            }
        }
        publish();
    }

    private void publish() {
        double sum = 0;
        double squares = 0;
        int n = 0;
        Map<String, Long> tokens = new LinkedHashMap<>();
        for (AgentShare a : shares.values()) {
            if (a.generated > 0) {
                double x = (double) a.generated / a.weight;
                sum += x;
                squares += x * x;
                n++;
                tokens.put(a.agent, a.generated);
            }
        }
        jainIndex = n == 0 ? 1.0 : sum * sum / (n * squares);
        generatedByAgent = Map.copyOf(tokens);
    }

    /**
     * Jain's index (sum x)^2 / (n sum x^2) over the agents that got tokens, x = tokens generated for the agent over
     * its weight: 1 when every agent got the same weighted share, 1/n when one agent got everything.
     */
    double jainIndex() {
        return jainIndex;
    }

    Map<String, Long> generatedByAgent() {
        return generatedByAgent;
    }
}
