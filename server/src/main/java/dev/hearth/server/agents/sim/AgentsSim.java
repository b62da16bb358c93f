package dev.hearth.server.agents.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The agent system of the plan, simulated: every agent is a multi-turn conversation (one virtual thread) with a
 * shared system prompt and tool list, streaming chat completions; tool calls get tool results fed back. Agents
 * rotate through high, normal and low priority (sent as {@code X-Hearth-Agent} / {@code X-Hearth-Priority}); the
 * greedy agents run several conversations at once with larger answers. Bounded by request count and a deadline
 * ({@link SimSettings#deadlineSeconds}): at the deadline no new turn starts, requests in flight are stopped and
 * counted as cut, not as lost, and the turns never sent are counted on their own.
 */
public final class AgentsSim {
    /** max_tokens of a turn that requires a tool call. */
    static final int TOOL_TURN_TOKENS = 96;
    static final String SYSTEM_PROMPT = "You are one agent of a planning system. Work step by step, call a tool "
            + "when you need data, and keep answers short. Shared context: the project is a local inference server; "
            + "the team tracks work in issues; every answer is read by a supervisor agent.";
    private static final String[] PRIORITIES = {"high", "normal", "low"};
    private static final ObjectMapper JSON = new ObjectMapper();

    private AgentsSim() {}

    public static SimReport run(SimSettings settings) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        SimSettings resolved = settings.model() != null ? settings : withModel(settings, firstModel(client, settings));
        ChatStream stream = new ChatStream(client, resolved);
        List<TurnResult> results = Collections.synchronizedList(new ArrayList<>());
        long start = System.nanoTime();
        long deadline = start + resolved.deadlineSeconds() * 1_000_000_000L;
        List<Future<?>> futures = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int a = 0; a < resolved.agents(); a++) {
                String agent = "sim-agent-" + a;
                boolean greedy = a < resolved.greedy();
                String priority = greedy ? "low" : PRIORITIES[a % PRIORITIES.length];
                int conversations = greedy ? Math.max(1, resolved.greedyParallel()) : 1;
                int maxTokens = greedy ? resolved.maxTokens() * 4 : resolved.maxTokens();
                for (int c = 0; c < conversations; c++) {
                    int conversation = c;
                    futures.add(threads.submit(() -> {
                        converse(stream, agent, priority, conversation, resolved.turns(), maxTokens,
                                resolved.toolEvery(), deadline, results);
                        return null;
                    }));
                }
            }
            for (Future<?> f : futures) {
                long left = deadline - System.nanoTime();
                try {
                    f.get(Math.max(1, left), TimeUnit.NANOSECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    f.cancel(true);
                }
            }
        }
        double wall = (System.nanoTime() - start) / 1e9;
        long expected = 0;
        for (int a = 0; a < resolved.agents(); a++) {
            expected += (long) resolved.turns() * (a < resolved.greedy() ? Math.max(1, resolved.greedyParallel()) : 1);
        }
        return SimReport.of(List.copyOf(results), expected, wall, ServerCounters.read(client, resolved));
    }

    private static void converse(ChatStream stream, String agent, String priority, int conversation, int turns,
            int maxTokens, int toolEvery, long deadline, List<TurnResult> results) throws InterruptedException {
        ArrayNode messages = JSON.createArrayNode();
        messages.addObject().put("role", "system").put("content", SYSTEM_PROMPT);
        ArrayNode tools = tools();
        for (int turn = 0; turn < turns && System.nanoTime() < deadline; turn++) {
            JsonNode last = messages.get(messages.size() - 1);
            if (!"tool".equals(last.path("role").asText())) {
                messages.addObject().put("role", "user").put("content", "Agent " + agent + "/" + conversation
                        + ", step " + turn + ": report progress on task " + (turn * 7 + conversation) % 13);
            }
            TurnResult r;
            try {
                boolean forceTool = toolEvery > 0 && turn % toolEvery == toolEvery - 1;
                // a required call needs room for its markup and arguments (the query is at most 24 characters)
                r = stream.send(agent, priority, messages, tools, forceTool ? Math.max(maxTokens, TOOL_TURN_TOKENS)
                        : maxTokens, forceTool, deadline);
            } catch (InterruptedException e) {
                // stopped at the deadline while waiting for headers or before a retry
                results.add(TurnResult.cut(agent, priority, System.nanoTime(), 0));
                throw e;
            }
            if (!r.completed() && !r.cut() && System.nanoTime() >= deadline) {
                r = TurnResult.cut(agent, priority, System.nanoTime(), r.retries429());  // cut short by the stop
            }
            results.add(r);
            if (!r.completed()) {
                return;  // a broken conversation stops: its remaining turns count as not completed
            }
            ObjectNode answer = messages.addObject().put("role", "assistant").put("content", r.content());
            if (r.toolCallJson() != null) {
                try {
                    ArrayNode calls = (ArrayNode) JSON.readTree(r.toolCallJson());
                    answer.set("tool_calls", calls);
                    for (JsonNode call : calls) {
                        ((ObjectNode) call).remove("index");  // the stream's delta index, not part of a message
                        messages.addObject().put("role", "tool").put("tool_call_id", call.path("id").asText())
                                .put("content", "{\"result\": \"ok\", \"items\": 3}");
                    }
                } catch (java.io.IOException e) {
                    throw new IllegalStateException("unreadable tool calls: " + e.getMessage(), e);
                }
            }
        }
    }

    static ArrayNode tools() {
        ArrayNode tools = JSON.createArrayNode();
        for (String name : new String[] {"search_issues", "read_file"}) {
            ObjectNode fn = tools.addObject().put("type", "function").putObject("function");
            fn.put("name", name).put("description", name.replace('_', ' '));
            ObjectNode params = fn.putObject("parameters").put("type", "object");
            params.putObject("properties").putObject("query").put("type", "string").put("maxLength", 24);
            params.putArray("required").add("query");
        }
        return tools;
    }

    private static String firstModel(HttpClient client, SimSettings s) throws Exception {
        HttpRequest.Builder req = HttpRequest.newBuilder(s.target().resolve("/v1/models")).GET();
        if (s.apiKey() != null) {
            req.header("Authorization", "Bearer " + s.apiKey());
        }
        JsonNode list = JSON.readTree(client.send(req.build(), HttpResponse.BodyHandlers.ofString()).body());
        JsonNode first = list.path("data").path(0).path("id");
        if (first.isMissingNode()) {
            throw new IllegalStateException(s.target() + " lists no model; pass --model");
        }
        return first.asText();
    }

    private static SimSettings withModel(SimSettings s, String model) {
        return new SimSettings(s.target(), model, s.agents(), s.turns(), s.greedy(), s.greedyParallel(), s.maxTokens(),
                s.apiKey(), s.deadlineSeconds(), s.maxRetries(), s.toolEvery());
    }

    /** Loopback addresses only: what tests may target. */
    public static boolean isLoopback(URI target) {
        String host = target.getHost();
        return host != null && (host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]"));
    }
}
