package dev.hearth.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.hearth.server.agents.sim.AgentsSim;
import dev.hearth.server.agents.sim.SimReport;
import dev.hearth.server.agents.sim.SimSettings;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hearth agents-sim}: many multi-turn tool-using agents against a server; completion, latency, fairness. */
@Command(name = "agents-sim", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Simulate an agent system against an OpenAI-compatible server and report completion, lost and "
                + "duplicated responses, TTFT and latency per priority, tokens/s, prefix-cache hits and Jain's index.")
final class AgentsSimCommand implements Callable<Integer> {
    @Option(names = "--agents", defaultValue = "98", description = "Agents (default ${DEFAULT-VALUE}).")
    int agents;
    @Option(names = "--turns", defaultValue = "20", description = "Requests per conversation (default ${DEFAULT-VALUE}).")
    int turns;
    @Option(names = "--target", required = true, description = "Server base URL, e.g. http://127.0.0.1:8080.")
    URI target;
    @Option(names = "--model", description = "Model name (default: the server's first).")
    String model;
    @Option(names = "--greedy", defaultValue = "3", description = "Greedy agents (default ${DEFAULT-VALUE}).")
    int greedy;
    @Option(names = "--greedy-parallel", defaultValue = "4",
            description = "Conversations each greedy agent runs at once (default ${DEFAULT-VALUE}).")
    int greedyParallel;
    @Option(names = "--max-tokens", defaultValue = "32", description = "max_tokens per request (greedy: 4x).")
    int maxTokens;
    @Option(names = "--api-key", defaultValue = "${env:HEARTH_API_KEY}", description = "Bearer key (the admin key).")
    String apiKey;
    @Option(names = "--deadline", defaultValue = "600", description = "Stop after this many seconds (default ${DEFAULT-VALUE}): no new turn starts, requests in "
                    + "flight are cut (reported as cut_at_deadline, not lost), the rest as not_sent.")
    int deadline;
    @Option(names = "--tool-every", defaultValue = "4", description = "Every Nth turn requires a tool call "
            + "(tool_choice required) and feeds its result back; 0: tools are only offered (default ${DEFAULT-VALUE}).")
    int toolEvery;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        SimReport r = AgentsSim.run(new SimSettings(target, model, agents, turns, greedy, greedyParallel, maxTokens,
                apiKey, deadline, 20, toolEvery));
        Map<String, Object> out = r.toJson();
        if (json) {
            System.out.println(new ObjectMapper().writeValueAsString(out));
        } else {
            System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(out));
        }
        return r.lost() == 0 && r.duplicated() == 0 ? 0 : 1;
    }
}
