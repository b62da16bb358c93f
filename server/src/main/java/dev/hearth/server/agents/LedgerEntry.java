package dev.hearth.server.agents;

/**
 * One served request in the usage ledger.
 *
 * @param agent the agent's name; {@code anonymous} without a key, {@code admin} with the server's admin key
 * @param backend where it ran ({@code local}, or an upstream's name)
 * @param ttftMillis time to the first generated token; negative when none was generated
 * @param finishReason {@code stop}, {@code length}, {@code cancelled}, {@code error}, or null when no generation ran
 * @param status the HTTP status sent
 * @param error the error message sent, or null
 */
public record LedgerEntry(String agent, String model, String backend, String endpoint, long startedAtMillis,
        long promptTokens, long generatedTokens, double ttftMillis, double totalMillis, String finishReason,
        int status, String error) {}
