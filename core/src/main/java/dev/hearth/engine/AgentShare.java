package dev.hearth.engine;

/**
 * One agent's fair-share account in the scheduler (engine thread only): tokens generated for it, the virtual service
 * used to order agents (tokens over weight, never left behind the least-served active agent so that an idle agent
 * banks no credit), and how many of its sequences are running and queued.
 */
final class AgentShare {
    final String agent;
    /** The weight of the agent's latest queued sequence (a changed key policy applies from its next request). */
    int weight;
    long generated;
    double virtualService;
    int running;
    int queued;

    AgentShare(String agent, int weight) {
        this.agent = agent;
        this.weight = weight;
    }

    /** Running sequences per unit of weight: the primary fair-share key (each running sequence decodes a token per step). */
    double runningShare() {
        return (double) running / weight;
    }

    void charge(int tokens) {
        generated += tokens;
        virtualService += (double) tokens / weight;
    }
}
