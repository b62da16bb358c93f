package dev.hearth.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.engine.Priority;
import dev.hearth.server.agents.AgentDatabase;
import dev.hearth.server.agents.AgentKeys;
import dev.hearth.server.agents.AgentLimits;
import dev.hearth.server.agents.AgentPolicy;
import dev.hearth.server.agents.RouteClass;
import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hearth keys}: agent identities and their API keys, in the agents database under the Hearth home. */
@Command(name = "keys", mixinStandardHelpOptions = true,
        description = {"Manage agent API keys (stored as SHA-256 hashes in $HEARTH_HOME/agents.db; a key is shown once).",
            "The first key turns authentication on for every endpoint but /health."},
        subcommands = {KeysCommand.Create.class, KeysCommand.ListKeys.class, KeysCommand.Revoke.class,
            KeysCommand.Rotate.class, KeysCommand.Update.class})
final class KeysCommand implements Runnable {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create an agent and print its key once.")
    static final class Create implements Callable<Integer> {
        @Option(names = "--agent", required = true, description = "Agent name (letters, digits, . _ -).")
        String agent;
        @Option(names = "--priority", defaultValue = "normal", description = "high, normal or low (default ${DEFAULT-VALUE}).")
        String priority;
        @Option(names = "--rpm", defaultValue = "0", description = "Requests per minute (0 = unlimited).")
        long rpm;
        @Option(names = "--tpm", defaultValue = "0", description = "Tokens per minute, prompt plus generated (0 = unlimited).")
        long tpm;
        @Option(names = "--daily-tokens", defaultValue = "0", description = "Tokens per UTC day (0 = unlimited).")
        long dailyTokens;
        @Option(names = "--max-parallel", defaultValue = "0", description = "Requests in flight at once (0 = unlimited).")
        int maxParallel;
        @Option(names = "--class", defaultValue = "local", description = "local: routes keep this key's requests"
                + " on this machine's models (remote targets are skipped); cloud-ok: they may go to remote targets"
                + " (default ${DEFAULT-VALUE}).")
        String routeClass;
        @Option(names = "--weight", defaultValue = "1", description = "Share of generated tokens against agents of "
                + "the same priority under contention, 1 to " + AgentPolicy.MAX_WEIGHT + " (default ${DEFAULT-VALUE}).")
        int weight;
        @Option(names = "--json", description = "Print {\"agent\": ..., \"key\": ...}.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            AgentPolicy policy = new AgentPolicy(agent, Priority.parse(priority),
                    new AgentLimits(rpm, tpm, dailyTokens, maxParallel), RouteClass.parse(routeClass),
                    System.currentTimeMillis(), AgentPolicy.checkWeight(weight));
            try (Connection db = AgentDatabase.open(AgentDatabase.defaultPath())) {
                AgentKeys keys = new AgentKeys(db);
                boolean first = !keys.anyActiveKeys();
                AgentKeys.Issued issued = keys.create(policy);
                if (json) {
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put("agent", issued.agent());
                    out.put("key", issued.key());
                    out.put("class", policy.routeClass().apiName());
                    out.put("first_key", first);
                    out.put("notes", notes(first, policy.routeClass()));
                    System.out.println(JSON.writeValueAsString(out));
                } else {
                    print(issued, false);
                    notes(first, policy.routeClass()).forEach(System.err::println);
                }
            }
            return 0;
        }

        /** What a new key changes: the first turns authentication on; the class decides where routes may send it. */
        static List<String> notes(boolean first, RouteClass routeClass) {
            List<String> notes = new java.util.ArrayList<>();
            if (first) {
                notes.add("this is the first agent key: from now on every endpoint but /health requires"
                        + " 'Authorization: Bearer KEY' (a running server too, within seconds); requests without a key get"
                        + " 401. Create keys for every client, or revoke them all to open the server again.");
            }
            notes.add(switch (routeClass) {
                case LOCAL -> "class local (the default): requests with this key are served by this machine's models"
                        + " only; routes skip remote targets (cloud, other nodes) for it, and a route whose local"
                        + " targets cannot serve answers 502 naming them. --class cloud-ok lets it fall back to"
                        + " remote targets.";
                case CLOUD_OK -> "class cloud-ok: requests with this key may go to remote targets (cloud, other"
                        + " nodes) when a route lists them.";
            });
            return notes;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List agents, their limits and key prefixes.")
    static final class ListKeys implements Callable<Integer> {
        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            List<AgentKeys.Listed> agents;
            try (Connection db = AgentDatabase.open(AgentDatabase.defaultPath())) {
                agents = new AgentKeys(db).list();
            }
            if (json) {
                System.out.println(JSON.writeValueAsString(agents.stream().map(KeysCommand::row).toList()));
                return 0;
            }
            System.out.printf("%-20s %-8s %6s %-9s %8s %10s %12s %8s %-14s%n", "AGENT", "PRIORITY", "WEIGHT", "CLASS",
                    "RPM", "TPM", "DAILY", "PARALLEL", "KEY");
            for (AgentKeys.Listed l : agents) {
                AgentLimits lim = l.agent().limits();
                System.out.printf("%-20s %-8s %6d %-9s %8s %10s %12s %8s %-14s%n", l.agent().name(),
                        l.agent().priority().apiName(), l.agent().weight(), l.agent().routeClass().apiName(),
                        n(lim.rpm()), n(lim.tpm()),
                        n(lim.dailyTokens()), n(lim.maxParallel()), l.activeKeys() == 0 ? "(revoked)" : l.keyPrefix());
            }
            return 0;
        }

        private static String n(long v) {
            return v == 0 ? "-" : Long.toString(v);
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke every key of an agent.")
    static final class Revoke implements Callable<Integer> {
        @Option(names = "--agent", required = true)
        String agent;
        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            int n;
            try (Connection db = AgentDatabase.open(AgentDatabase.defaultPath())) {
                n = new AgentKeys(db).revoke(agent);
            }
            if (json) {
                System.out.println(JSON.writeValueAsString(Map.of("agent", agent, "revoked", n)));
            } else {
                System.out.printf("revoked %d key(s) of agent %s%n", n, agent);
            }
            return 0;
        }
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true,
            description = "Revoke an agent's keys and print a new one once.")
    static final class Rotate implements Callable<Integer> {
        @Option(names = "--agent", required = true)
        String agent;
        @Option(names = "--json", description = "Print {\"agent\": ..., \"key\": ...}.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            try (Connection db = AgentDatabase.open(AgentDatabase.defaultPath())) {
                print(new AgentKeys(db).rotate(agent), json);
            }
            return 0;
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true,
            description = "Change an agent's fair-share weight (its keys stay valid; a running server applies it "
                    + "within seconds).")
    static final class Update implements Callable<Integer> {
        @Option(names = "--agent", required = true)
        String agent;
        @Option(names = "--weight", required = true, description = "1 to " + AgentPolicy.MAX_WEIGHT + ".")
        int weight;
        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            AgentPolicy updated;
            try (Connection db = AgentDatabase.open(AgentDatabase.defaultPath())) {
                updated = new AgentKeys(db).setWeight(agent, weight);
            }
            if (json) {
                System.out.println(JSON.writeValueAsString(Map.of("agent", agent, "weight", updated.weight())));
            } else {
                System.out.printf("agent %s now has weight %d%n", agent, updated.weight());
            }
            return 0;
        }
    }

    private static void print(AgentKeys.Issued issued, boolean json) throws Exception {
        if (json) {
            System.out.println(JSON.writeValueAsString(Map.of("agent", issued.agent(), "key", issued.key())));
        } else {
            System.out.println(issued.key());
            System.err.println("key for agent " + issued.agent() + " (shown once; only its hash is stored)");
        }
    }

    private static Map<String, Object> row(AgentKeys.Listed l) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("agent", l.agent().name());
        m.put("priority", l.agent().priority().apiName());
        m.put("weight", l.agent().weight());
        m.put("class", l.agent().routeClass().apiName());
        m.put("rpm", l.agent().limits().rpm());
        m.put("tpm", l.agent().limits().tpm());
        m.put("daily_tokens", l.agent().limits().dailyTokens());
        m.put("max_parallel", l.agent().limits().maxParallel());
        m.put("active_keys", l.activeKeys());
        m.put("key_prefix", l.keyPrefix());
        return m;
    }
}
