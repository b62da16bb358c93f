package dev.hearth.server.route;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.server.agents.AgentCall;
import dev.hearth.server.agents.RouteClass;
import dev.hearth.server.upstream.NodeBalancer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * What the router knows of a request before running it, read from the client's JSON body and headers.
 *
 * @param path {@code /chat/completions} or {@code /completions}, as forwarded to a remote backend
 * @param promptTokens an estimate (UTF-8 bytes / 4): the exact count needs a tokenizer, which rules don't wait for
 * @param header a request header by lower-case name (null when absent)
 * @param agentClass the caller's agent class: its key's route class ({@code local}, {@code cloud-ok}) when agents are
 *     on, else the {@code x-hearth-agent-class} header, or null
 * @param localOnly the caller's key allows only this machine: remote targets are passed over
 * @param affinityKey a hash of the system prompt, for node affinity (none without a system prompt)
 * @param raw the client's body as it came, forwarded with only the model replaced (null: encode {@code body})
 * @param caller the agent call this request belongs to (quota reservation, scheduling), or null when agents are off
 *     or for a caller outside HTTP
 */
public record RouteRequest(String path, String model, ObjectNode body, boolean stream, int promptTokens,
        boolean tools, boolean reasoning, Function<String, String> header, String agentClass, boolean localOnly,
        long affinityKey, boolean hasAffinityKey, byte[] raw, AgentCall caller) {

    /** A request of no agent call. */
    public RouteRequest(String path, String model, ObjectNode body, boolean stream, int promptTokens,
            boolean tools, boolean reasoning, Function<String, String> header, String agentClass, boolean localOnly,
            long affinityKey, boolean hasAffinityKey, byte[] raw) {
        this(path, model, body, stream, promptTokens, tools, reasoning, header, agentClass, localOnly, affinityKey,
                hasAffinityKey, raw, null);
    }

    public static final String AGENT_CLASS_HEADER = "x-hearth-agent-class";

    public static RouteRequest chat(ObjectNode body, Function<String, String> header) {
        return of("/chat/completions", body, header);
    }

    /** A chat request whose body came as {@code raw} (parsed: {@code body}). */
    public static RouteRequest chat(byte[] raw, ObjectNode body, Function<String, String> header) {
        return of("/chat/completions", body, header).withRaw(raw);
    }

    public static RouteRequest completion(ObjectNode body, Function<String, String> header) {
        return of("/completions", body, header);
    }

    /** A text-completion request whose body came as {@code raw} (parsed: {@code body}). */
    public static RouteRequest completion(byte[] raw, ObjectNode body, Function<String, String> header) {
        return of("/completions", body, header).withRaw(raw);
    }

    RouteRequest withRaw(byte[] bytes) {
        return new RouteRequest(path, model, body, stream, promptTokens, tools, reasoning, header, agentClass,
                localOnly, affinityKey, hasAffinityKey, bytes, caller);
    }

    /**
     * This request as {@code call}'s (null: none): the agent class and the local-only rule then come from the
     * caller's key, not from the {@value #AGENT_CLASS_HEADER} header.
     */
    public RouteRequest withCaller(AgentCall call) {
        String agentClass = call == null ? header.apply(AGENT_CLASS_HEADER) : call.routeClass().apiName();
        boolean localOnly = call != null && call.routeClass() == RouteClass.LOCAL;
        return new RouteRequest(path, model, body, stream, promptTokens, tools, reasoning, header, agentClass,
                localOnly, affinityKey, hasAffinityKey, raw, call);
    }

    /** Whether this request may make a local backend download the model it names: its caller's, else allowed. */
    public dev.hearth.server.backend.PullPermission pull() {
        return caller == null ? dev.hearth.server.backend.PullPermission.ALLOWED : caller.pull();
    }

    /** How the engine schedules this request: the caller's agent, priority and weight, or the default. */
    public dev.hearth.engine.Scheduling scheduling() {
        return caller == null ? dev.hearth.engine.Scheduling.DEFAULT : caller.scheduling();
    }

    /** A request from a map of headers (tests, the bench). */
    public static RouteRequest of(String path, ObjectNode body, Map<String, String> headers) {
        return of(path, body, name -> headers.get(name.toLowerCase(Locale.ROOT)));
    }

    public static RouteRequest of(String path, ObjectNode body, Function<String, String> header) {
        long bytes = 0;
        String system = null;
        for (JsonNode m : body.path("messages")) {
            String text = text(m.path("content"));
            bytes += text.getBytes(StandardCharsets.UTF_8).length;
            if (system == null && "system".equals(m.path("role").asText())) {
                system = text;
            }
        }
        String keyText = system;
        JsonNode prompt = body.path("prompt");
        if (prompt.isTextual()) {
            bytes += prompt.textValue().getBytes(StandardCharsets.UTF_8).length;
        }
        boolean tools = body.path("tools").isArray() && !body.path("tools").isEmpty();
        boolean reasoning = body.hasNonNull("reasoning_effort") || body.hasNonNull("reasoning")
                || body.path("think").asBoolean(false);
        boolean hasKey = keyText != null && !keyText.isEmpty();
        long key = hasKey ? hash(keyText) : 0;
        return new RouteRequest(path, body.path("model").asText(null), body, body.path("stream").asBoolean(false),
                (int) Math.min(Integer.MAX_VALUE, (bytes + 3) / 4), tools, reasoning, header,
                header.apply(AGENT_CLASS_HEADER), false, key, hasKey, null, null);
    }

    private static String text(JsonNode content) {
        if (content.isTextual()) {
            return content.textValue();
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode part : content) {
            sb.append(part.path("text").asText(""));
        }
        return sb.toString();
    }

    /** FNV-1a over the UTF-16 units, finished with a 64-bit mix. */
    public static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < s.length(); i++) {
            h = (h ^ s.charAt(i)) * 0x100000001b3L;
        }
        return NodeBalancer.mix(h);
    }
}
