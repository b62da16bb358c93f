package dev.hearth.server.agents.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/** One streamed OpenAI chat completion over the JDK HttpClient, read as SSE; 429s are retried after Retry-After. */
final class ChatStream {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client;
    private final SimSettings settings;

    ChatStream(HttpClient client, SimSettings settings) {
        this.client = client;
        this.settings = settings;
    }

    /** Sends one turn; a request still unanswered at {@code deadlineNanos} comes back {@link TurnResult#cut}. */
    TurnResult send(String agent, String priority, ArrayNode messages, ArrayNode tools, int maxTokens,
            boolean forceTool, long deadlineNanos) throws InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", settings.model());
        body.set("messages", messages);
        body.set("tools", tools);
        if (forceTool) {
            body.put("tool_choice", "required");
        }
        body.put("max_tokens", maxTokens);
        body.put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        HttpRequest.Builder request = HttpRequest.newBuilder(settings.target().resolve("/v1/chat/completions"))
                .header("Content-Type", "application/json").header("X-Hearth-Agent", agent)
                .header("X-Hearth-Priority", priority).POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (settings.apiKey() != null) {
            request.header("Authorization", "Bearer " + settings.apiKey());
        }
        int retries = 0;
        long first = System.nanoTime();
        while (true) {
            long start = System.nanoTime();
            long left = deadlineNanos - start;
            if (left <= 0) {
                return TurnResult.cut(agent, priority, first, retries);
            }
            // the headers must come before the deadline; the body is read until it ends or the run is stopped
            request.timeout(Duration.ofNanos(left));
            try {
                HttpResponse<InputStream> res = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
                if (res.statusCode() == 429 && retries < settings.maxRetries()) {
                    res.body().close();
                    retries++;
                    long waitMillis = Math.min(res.headers().firstValueAsLong("Retry-After").orElse(1), 5) * 1000;
                    if (System.nanoTime() + waitMillis * 1_000_000 >= deadlineNanos) {
                        return TurnResult.cut(agent, priority, first, retries);
                    }
                    Thread.sleep(waitMillis);
                    continue;
                }
                if (res.statusCode() != 200) {
                    String error = new String(res.body().readAllBytes(), StandardCharsets.UTF_8);
                    return failed(agent, priority, start, retries, "HTTP " + res.statusCode() + ": " + error);
                }
                return read(agent, priority, res.body(), start, retries);
            } catch (java.io.IOException e) {
                if (System.nanoTime() >= deadlineNanos || Thread.currentThread().isInterrupted()) {
                    return TurnResult.cut(agent, priority, first, retries);  // the simulator stopped it
                }
                return failed(agent, priority, start, retries, e.toString());
            }
        }
    }

    private static TurnResult failed(String agent, String priority, long start, int retries, String error) {
        return new TurnResult(agent, priority, false, false, null, -1, (System.nanoTime() - start) / 1e6, 0, "",
                0, null, retries, error, false);
    }

    private static TurnResult read(String agent, String priority, InputStream body, long start, int retries)
            throws java.io.IOException {
        StringBuilder content = new StringBuilder();
        Set<String> ids = new HashSet<>();
        boolean duplicated = false;
        boolean done = false;
        String finish = null;
        String id = null;
        double ttft = -1;
        long tokens = 0;
        int toolCalls = 0;
        ArrayNode calls = JSON.createArrayNode();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (!line.startsWith("data:")) {
                    continue;
                }
                String data = line.substring(5).trim();
                if (data.equals("[DONE]")) {
                    duplicated |= done;
                    done = true;
                    continue;
                }
                JsonNode chunk = JSON.readTree(data);
                if (chunk.has("error")) {
                    return failed(agent, priority, start, retries, chunk.get("error").path("message").asText());
                }
                if (id == null) {
                    id = chunk.path("id").asText(null);
                } else if (!id.equals(chunk.path("id").asText(id))) {
                    duplicated = true;  // chunks of two responses in one stream
                }
                if (chunk.hasNonNull("usage")) {
                    tokens = chunk.get("usage").path("completion_tokens").asLong();
                }
                for (JsonNode choice : chunk.path("choices")) {
                    JsonNode delta = choice.path("delta");
                    String text = delta.path("content").asText("");
                    if ((!text.isEmpty() || delta.has("tool_calls")) && ttft < 0) {
                        ttft = (System.nanoTime() - start) / 1e6;
                    }
                    content.append(text);
                    for (JsonNode call : delta.path("tool_calls")) {
                        // the first delta of a call has its id and name; later ones (same index) add argument text
                        if (call.hasNonNull("id")) {
                            toolCalls++;
                            ObjectNode whole = calls.addObject();
                            whole.put("id", call.get("id").asText()).put("type", "function");
                            whole.putObject("function").put("name", call.path("function").path("name").asText())
                                    .put("arguments", call.path("function").path("arguments").asText(""));
                            whole.put("index", call.path("index").asInt(calls.size() - 1));
                        } else {
                            for (JsonNode c : calls) {
                                if (c.path("index").asInt() == call.path("index").asInt(-1)) {
                                    ObjectNode fn = (ObjectNode) c.get("function");
                                    fn.put("arguments", fn.path("arguments").asText()
                                            + call.path("function").path("arguments").asText(""));
                                }
                            }
                        }
                    }
                    if (choice.hasNonNull("finish_reason")) {
                        duplicated |= finish != null || !ids.add(id);
                        finish = choice.get("finish_reason").asText();
                    }
                }
            }
        }
        boolean completed = done && finish != null;
        return new TurnResult(agent, priority, completed, duplicated, id, ttft, (System.nanoTime() - start) / 1e6,
                tokens, content.toString(), toolCalls, toolCalls == 0 ? null : calls.toString(), retries,
                completed ? null : "the stream ended without a finish reason and [DONE]", false);
    }
}
