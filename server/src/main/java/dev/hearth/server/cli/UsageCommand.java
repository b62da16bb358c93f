package dev.hearth.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.server.agents.AgentDatabase;
import dev.hearth.server.agents.UsageSummary;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hearth usage}: per-agent totals from the usage ledger. */
@Command(name = "usage", mixinStandardHelpOptions = true,
        description = "Summarise the usage ledger ($HEARTH_HOME/agents.db) per agent.")
final class UsageCommand implements Callable<Integer> {
    @Option(names = "--agent", description = "Only this agent.")
    String agent;

    @Option(names = "--since", defaultValue = "24h", description = "Window: 30m, 1h, 7d ... (default ${DEFAULT-VALUE}).")
    String since;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        long from = System.currentTimeMillis() - UsageSummary.parseSince(since).toMillis();
        List<UsageSummary.AgentUsage> rows;
        try (Connection db = AgentDatabase.open(AgentDatabase.defaultPath())) {
            rows = UsageSummary.since(db, from, agent);
        }
        if (json) {
            System.out.println(new ObjectMapper().writeValueAsString(Map.of("since", since, "agents", rows)));
            return 0;
        }
        System.out.printf("%-20s %9s %7s %12s %12s %10s %10s%n", "AGENT", "REQUESTS", "ERRORS", "PROMPT", "GENERATED",
                "TTFT ms", "TOTAL ms");
        for (UsageSummary.AgentUsage u : rows) {
            System.out.printf("%-20s %9d %7d %12d %12d %10s %10s%n", u.agent(), u.requests(), u.errors(),
                    u.promptTokens(), u.generatedTokens(), ms(u.avgTtftMillis()), ms(u.avgTotalMillis()));
        }
        return 0;
    }

    private static String ms(Double v) {
        return v == null ? "-" : String.format("%.1f", v);
    }
}
