package dev.hearth.server.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.server.agents.AgentGate;
import dev.hearth.server.metrics.ServerMetrics;
import dev.hearth.server.route.Router;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The browser side: {@code GET /} (chat; "Hearth is running" for clients that do not ask for HTML), {@code GET /dashboard}, their assets under {@code /assets/} and the
 * WebJars' files under {@code /webjars/}, all open (they hold no data); and {@code GET /v1/stats}, the dashboard's
 * JSON feed, behind the access filter like every API (the admin key where keys exist). Samples the engines'
 * history while the server runs.
 */
public final class WebRoutes implements HttpService {
    public static final String STATS = "/v1/stats";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final StaticAssets assets = new StaticAssets();
    private final StatsHistory history;
    private final StatsReport report;

    public WebRoutes(Router router, ServerMetrics metrics, AgentGate agents) {
        this.history = new StatsHistory(router.local());
        this.report = new StatsReport(router, metrics, agents, history);
    }

    /** Whether a request is for a page or a static asset, which need no key. */
    public static boolean isPublic(Method method, String path) {
        return method == Method.GET && (path.equals("/") || path.equals("/dashboard")
                || path.startsWith("/assets/") || path.startsWith("/webjars/"));
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", (req, res) -> root(req, res))
                .get("/dashboard", (req, res) -> page("dashboard.html", res))
                .get("/assets/{file}", (req, res) -> asset(req, res))
                .get("/webjars/{library}/*", (req, res) -> webJar(req, res))
                .get(STATS, (req, res) -> stats(res));
    }

    @Override
    public void beforeStart() {
        history.start();
    }

    @Override
    public void afterStop() {
        history.stop();
    }

    /** Browsers get the chat; other clients (Ollama's probe the root) the plain answer they expect. */
    private void root(ServerRequest req, ServerResponse res) {
        boolean browser = req.headers().first(HeaderNames.ACCEPT).map(a -> a.contains("text/html")).orElse(false);
        if (browser) {
            page("chat.html", res);
        } else {
            res.header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            res.send("Hearth is running");
        }
    }

    private void page(String name, ServerResponse res) {
        if (!assets.sendPage(name, res)) {
            notFound(res, "the page " + name + " is missing from this build");
        }
    }

    private void asset(ServerRequest req, ServerResponse res) {
        String file = req.path().pathParameters().get("file");
        if (!StaticAssets.safe(file) || !assets.sendPage(file, res)) {
            notFound(res, "no asset " + file);
        }
    }

    private void webJar(ServerRequest req, ServerResponse res) {
        String library = req.path().pathParameters().get("library");
        String prefix = "/webjars/" + library + "/";
        String file = req.path().path().substring(Math.min(prefix.length(), req.path().path().length()));
        if (!StaticAssets.safe(library) || !StaticAssets.safe(file) || !assets.sendWebJar(library, file, res)) {
            notFound(res, "no file " + file + " in the WebJar " + library);
        }
    }

    private void stats(ServerResponse res) {
        send(res, Status.OK_200, report.build());
    }

    private static void notFound(ServerResponse res, String message) {
        send(res, Status.NOT_FOUND_404, Map.of("error", Map.of("message", message, "type", "invalid_request_error",
                "code", "not_found")));
    }

    private static void send(ServerResponse res, Status status, Object body) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        try {
            res.send(JSON.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
