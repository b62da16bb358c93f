package dev.hearth.server.agents;

/**
 * An agent's quotas; 0 means unlimited.
 *
 * @param rpm requests per minute (sliding 60 s window)
 * @param tpm prompt plus generated tokens per minute (sliding 60 s window)
 * @param dailyTokens prompt plus generated tokens per UTC day
 * @param maxParallel requests in flight at once
 */
public record AgentLimits(long rpm, long tpm, long dailyTokens, int maxParallel) {
    public static final AgentLimits UNLIMITED = new AgentLimits(0, 0, 0, 0);

    public AgentLimits {
        check("rpm", rpm);
        check("tpm", tpm);
        check("daily-tokens", dailyTokens);
        check("max-parallel", maxParallel);
    }

    private static void check(String name, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must not be negative (0 = unlimited), got " + value);
        }
    }
}
