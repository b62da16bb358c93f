package dev.hearth.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.server.config.BackendConfig.Breaker;
import dev.hearth.server.config.BackendConfig.Health;
import dev.hearth.server.config.BackendConfig.Prices;
import dev.hearth.server.config.BackendConfig.Retry;
import dev.hearth.server.config.BackendConfig.Timeouts;
import dev.hearth.server.config.RoutingConfig.Condition;
import dev.hearth.server.config.RoutingConfig.Route;
import dev.hearth.server.config.RoutingConfig.Rule;
import dev.hearth.server.config.RoutingConfig.Target;
import dev.hearth.server.hub.HubException;
import dev.hearth.server.hub.ModelLocator;
import dev.hearth.server.hub.ModelName;
import dev.hearth.server.hub.PullRef;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and checks a routing configuration. Every mistake (unknown key, wrong type, missing field, a target that
 * names no declared backend or model) fails with the line and the field. See {@code config/hearth.example.yaml}.
 */
public final class ConfigLoader {
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)");
    private static final Set<String> OPENAI_TYPES = Set.of("openai", "ollama", "vllm", "llama-server");

    private final YamlDocument doc;

    private ConfigLoader(YamlDocument doc) {
        this.doc = doc;
    }

    public static RoutingConfig load(Path file) {
        try {
            return parse(file.toString(), Files.readString(file));
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot be read: " + e.getMessage());
        }
    }

    public static RoutingConfig parse(String source, String yaml) {
        return new ConfigLoader(YamlDocument.parse(source, yaml)).config();
    }

    private RoutingConfig config() {
        JsonNode root = doc.root();
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw doc.error("", "the file is empty; expected 'backends:' and 'routes:'");
        }
        object("", root, Set.of("backends", "routes", "policy", "server"));
        Map<String, BackendConfig> backends = new LinkedHashMap<>();
        JsonNode b = require("", root, "backends");
        object("/backends", b, null);
        b.properties().forEach(e -> backends.put(e.getKey(), backend("/backends/" + e.getKey(), e.getKey(),
                e.getValue())));
        Duration maxQueueWait = Duration.ofSeconds(5);
        if (root.has("policy")) {
            JsonNode p = root.get("policy");
            object("/policy", p, Set.of("max_queue_wait"));
            if (p.has("max_queue_wait")) {
                maxQueueWait = duration("/policy/max_queue_wait", p.get("max_queue_wait"));
            }
        }
        List<Route> routes = new ArrayList<>();
        JsonNode r = root.get("routes");
        if (r != null) {
            array("/routes", r);
            Set<String> names = new HashSet<>();
            for (int i = 0; i < r.size(); i++) {
                Route route = route("/routes/" + i, r.get(i), backends);
                if (!names.add(route.model())) {
                    throw doc.error("/routes/" + i + "/model", "the route '" + route.model() + "' is declared twice");
                }
                routes.add(route);
            }
        }
        return new RoutingConfig(backends, routes, maxQueueWait, root.has("server") ? server(root.get("server"))
                : ServerSection.EMPTY);
    }

    private ServerSection server(JsonNode n) {
        object("/server", n, Set.of("header_timeout", "body_timeout", "idle_timeout", "max_connections",
                "shutdown_grace", "metrics_public", "open_pull"));
        return new ServerSection(optDuration("/server", n, "header_timeout", null),
                optDuration("/server", n, "body_timeout", null), optDuration("/server", n, "idle_timeout", null),
                n.has("max_connections") ? positive("/server/max_connections", n.get("max_connections")) : null,
                optDuration("/server", n, "shutdown_grace", null),
                n.has("metrics_public") ? bool("/server/metrics_public", n.get("metrics_public")) : null,
                n.has("open_pull") ? bool("/server/open_pull", n.get("open_pull")) : null);
    }

    private BackendConfig backend(String at, String name, JsonNode n) {
        if (name.contains("/")) {
            throw doc.error(at, "a backend name may not contain '/'");
        }
        object(at, n, null);
        String type = text(at + "/type", require(at, n, "type"));
        if (type.equals("local")) {
            object(at, n, Set.of("type", "models"));
            JsonNode m = require(at, n, "models");
            object(at + "/models", m, null);
            Map<String, String> models = new LinkedHashMap<>();
            m.properties().forEach(e -> models.put(e.getKey(), localModel(at + "/models/" + e.getKey(),
                    e.getValue())));
            if (models.isEmpty()) {
                throw doc.error(at + "/models", "a local backend needs at least one model: {name: qwen2.5:0.5b} or"
                        + " {name: /path/model.gguf}");
            }
            return new BackendConfig.Local(name, models);
        }
        boolean hearth = type.equals("hearth");
        if (!hearth && !OPENAI_TYPES.contains(type)) {
            throw doc.error(at + "/type", "unknown type '" + type + "'; expected local, openai, hearth, ollama, vllm"
                    + " or llama-server");
        }
        object(at, n, Set.of("type", "url", "nodes", "api_key_env", "models", "price_per_million", "timeouts",
                "retry", "breaker", "health", "affinity_slack"));
        List<URI> nodes = new ArrayList<>();
        if (n.has("url") == n.has("nodes")) {
            throw doc.error(at, "give exactly one of 'url' and 'nodes'");
        }
        if (n.has("url")) {
            nodes.add(url(at + "/url", n.get("url")));
        } else {
            array(at + "/nodes", n.get("nodes"));
            for (int i = 0; i < n.get("nodes").size(); i++) {
                nodes.add(url(at + "/nodes/" + i, n.get("nodes").get(i)));
            }
            if (nodes.isEmpty()) {
                throw doc.error(at + "/nodes", "needs at least one URL");
            }
        }
        String keyEnv = n.has("api_key_env") ? text(at + "/api_key_env", n.get("api_key_env")) : null;
        JsonNode m = require(at, n, "models");
        array(at + "/models", m);
        List<String> models = new ArrayList<>();
        for (int i = 0; i < m.size(); i++) {
            models.add(text(at + "/models/" + i, m.get(i)));
        }
        if (models.isEmpty()) {
            throw doc.error(at + "/models", "list the upstream's model names this backend may serve");
        }
        Prices prices = Prices.FREE;
        if (n.has("price_per_million")) {
            JsonNode p = n.get("price_per_million");
            object(at + "/price_per_million", p, Set.of("input", "output"));
            prices = new Prices(number(at + "/price_per_million/input", require(at + "/price_per_million", p, "input")),
                    number(at + "/price_per_million/output", require(at + "/price_per_million", p, "output")));
        }
        Timeouts t = Timeouts.DEFAULT;
        if (n.has("timeouts")) {
            JsonNode o = n.get("timeouts");
            object(at + "/timeouts", o, Set.of("connect", "first_token", "total"));
            t = new Timeouts(optDuration(at + "/timeouts", o, "connect", t.connect()),
                    optDuration(at + "/timeouts", o, "first_token", t.firstToken()),
                    optDuration(at + "/timeouts", o, "total", t.total()));
        }
        Retry retry = Retry.DEFAULT;
        if (n.has("retry")) {
            JsonNode o = n.get("retry");
            object(at + "/retry", o, Set.of("attempts", "backoff", "max_backoff", "max_retry_after"));
            retry = new Retry(o.has("attempts") ? positive(at + "/retry/attempts", o.get("attempts")) : retry.attempts(),
                    optDuration(at + "/retry", o, "backoff", retry.backoff()),
                    optDuration(at + "/retry", o, "max_backoff", retry.maxBackoff()),
                    optDuration(at + "/retry", o, "max_retry_after", retry.maxRetryAfter()));
        }
        Breaker breaker = Breaker.DEFAULT;
        if (n.has("breaker")) {
            JsonNode o = n.get("breaker");
            object(at + "/breaker", o, Set.of("failures", "open_for"));
            breaker = new Breaker(o.has("failures") ? positive(at + "/breaker/failures", o.get("failures"))
                    : breaker.failures(), optDuration(at + "/breaker", o, "open_for", breaker.openFor()));
        }
        Health health = hearth ? new Health("/models", Duration.ofSeconds(10)) : Health.NONE;
        if (n.has("health")) {
            JsonNode o = n.get("health");
            object(at + "/health", o, Set.of("path", "interval"));
            String path = o.has("path") ? text(at + "/health/path", o.get("path")) : "/models";
            health = new Health(path, optDuration(at + "/health", o, "interval", Duration.ofSeconds(10)));
        }
        int slack = n.has("affinity_slack") ? positive(at + "/affinity_slack", n.get("affinity_slack")) : 2;
        return new BackendConfig.Remote(name, hearth, nodes, keyEnv, models, prices, t, retry, breaker, health, slack);
    }

    /** A GGUF path, or a model name as the store and the catalogue take it (checked here for its line). */
    private String localModel(String at, JsonNode n) {
        String value = text(at, n).strip();
        if (ModelLocator.looksLikePath(value)) {
            return value;
        }
        try {
            if (value.startsWith("hf://")) {
                PullRef.parse(value);
            } else {
                ModelName.parse(value);
            }
        } catch (HubException e) {
            throw doc.error(at, "'" + value + "' is neither a GGUF file path nor a model name: " + e.getMessage());
        }
        return value;
    }

    private Route route(String at, JsonNode n, Map<String, BackendConfig> backends) {
        object(at, n, Set.of("model", "targets", "rules"));
        String model = text(at + "/model", require(at, n, "model"));
        List<Target> targets = targets(at + "/targets", require(at, n, "targets"), backends);
        List<Rule> rules = new ArrayList<>();
        if (n.has("rules")) {
            array(at + "/rules", n.get("rules"));
            for (int i = 0; i < n.get("rules").size(); i++) {
                String r = at + "/rules/" + i;
                JsonNode rule = n.get("rules").get(i);
                object(r, rule, Set.of("when", "targets"));
                rules.add(new Rule(condition(r + "/when", require(r, rule, "when")),
                        targets(r + "/targets", require(r, rule, "targets"), backends)));
            }
        }
        return new Route(model, targets, rules);
    }

    private Condition condition(String at, JsonNode n) {
        object(at, n, Set.of("prompt_tokens_over", "prompt_tokens_at_most", "tools", "reasoning", "header",
                "agent_class"));
        Map<String, String> headers = new LinkedHashMap<>();
        if (n.has("header")) {
            object(at + "/header", n.get("header"), null);
            n.get("header").properties().forEach(e -> headers.put(e.getKey(), text(at + "/header/" + e.getKey(),
                    e.getValue())));
        }
        return new Condition(n.has("prompt_tokens_over") ? positive(at + "/prompt_tokens_over",
                n.get("prompt_tokens_over")) : null,
                n.has("prompt_tokens_at_most") ? positive(at + "/prompt_tokens_at_most", n.get("prompt_tokens_at_most"))
                        : null,
                n.has("tools") ? bool(at + "/tools", n.get("tools")) : null,
                n.has("reasoning") ? bool(at + "/reasoning", n.get("reasoning")) : null, headers,
                n.has("agent_class") ? text(at + "/agent_class", n.get("agent_class")) : null);
    }

    private List<Target> targets(String at, JsonNode n, Map<String, BackendConfig> backends) {
        array(at, n);
        if (n.isEmpty()) {
            throw doc.error(at, "needs at least one target 'backend/model'");
        }
        List<Target> out = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) {
            String s = text(at + "/" + i, n.get(i));
            int slash = s.indexOf('/');
            if (slash <= 0 || slash == s.length() - 1) {
                throw doc.error(at + "/" + i, "'" + s + "' is not 'backend/model'");
            }
            Target t = new Target(s.substring(0, slash), s.substring(slash + 1));
            BackendConfig b = backends.get(t.backend());
            if (b == null) {
                throw doc.error(at + "/" + i, "no backend named '" + t.backend() + "' (declared: "
                        + String.join(", ", backends.keySet()) + ")");
            }
            boolean known = switch (b) {
                case BackendConfig.Local l -> l.models().containsKey(t.model());
                case BackendConfig.Remote r -> r.models().contains(t.model());
            };
            if (!known) {
                throw doc.error(at + "/" + i, "the backend '" + t.backend() + "' declares no model '" + t.model() + "'");
            }
            out.add(t);
        }
        return out;
    }

    private JsonNode require(String at, JsonNode n, String key) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            throw doc.error(at, "missing '" + key + "'");
        }
        return v;
    }

    private void object(String at, JsonNode n, Set<String> allowed) {
        if (!n.isObject()) {
            throw doc.error(at, "expected a mapping (key: value), got " + kind(n));
        }
        if (allowed != null) {
            for (String key : (Iterable<String>) n::fieldNames) {
                if (!allowed.contains(key)) {
                    throw doc.error(at + "/" + key, "unknown key '" + key + "'; expected one of "
                            + String.join(", ", allowed.stream().sorted().toList()));
                }
            }
        }
    }

    private void array(String at, JsonNode n) {
        if (!n.isArray()) {
            throw doc.error(at, "expected a list, got " + kind(n));
        }
    }

    private String text(String at, JsonNode n) {
        if (!n.isTextual() || n.textValue().isBlank()) {
            throw doc.error(at, "expected a non-empty string, got " + kind(n));
        }
        return n.textValue();
    }

    private boolean bool(String at, JsonNode n) {
        if (!n.isBoolean()) {
            throw doc.error(at, "expected true or false, got " + kind(n));
        }
        return n.booleanValue();
    }

    private double number(String at, JsonNode n) {
        if (!n.isNumber() || n.doubleValue() < 0) {
            throw doc.error(at, "expected a number >= 0, got " + kind(n));
        }
        return n.doubleValue();
    }

    private int positive(String at, JsonNode n) {
        if (!n.isInt() || n.intValue() < 1) {
            throw doc.error(at, "expected a whole number >= 1, got " + kind(n));
        }
        return n.intValue();
    }

    private URI url(String at, JsonNode n) {
        String s = text(at, n);
        try {
            URI u = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
            if (("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null) {
                return u;
            }
        } catch (IllegalArgumentException ignored) {
            // reported below
        }
        throw doc.error(at, "'" + s + "' is not an http(s) URL such as https://api.example.com/v1");
    }

    private Duration optDuration(String at, JsonNode n, String key, Duration fallback) {
        return n.has(key) ? duration(at + "/" + key, n.get(key)) : fallback;
    }

    private Duration duration(String at, JsonNode n) {
        Matcher m = n.isTextual() ? DURATION.matcher(n.textValue().trim()) : null;
        if (m == null || !m.matches()) {
            throw doc.error(at, "expected a duration such as 500ms, 5s, 2m or 1h, got " + kind(n));
        }
        double v = Double.parseDouble(m.group(1));
        double millis = switch (m.group(2)) {
            case "ms" -> v;
            case "s" -> v * 1e3;
            case "m" -> v * 60e3;
            default -> v * 3600e3;
        };
        return Duration.ofMillis(Math.round(millis));
    }

    private static String kind(JsonNode n) {
        return switch (n.getNodeType()) {
            case OBJECT -> "a mapping";
            case ARRAY -> "a list";
            case STRING -> "'" + n.textValue() + "'";
            case NULL -> "nothing";
            default -> n.toString();
        };
    }
}
