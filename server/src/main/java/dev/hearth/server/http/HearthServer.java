package dev.hearth.server.http;

import dev.hearth.server.http.api.ApiException;
import dev.hearth.server.http.api.Json;
import dev.hearth.server.http.api.RequestContext;
import dev.hearth.server.agents.AgentGate;
import dev.hearth.server.agents.UsageSummary;
import dev.hearth.server.http.ollama.OllamaHandlers;
import dev.hearth.server.http.ollama.PullHandler;
import dev.hearth.server.http.openai.OpenAiHandlers;
import dev.hearth.server.metrics.ServerMetrics;
import dev.hearth.server.backend.Backend;
import dev.hearth.server.route.Router;
import dev.hearth.server.web.WebRoutes;
import io.helidon.common.socket.SocketOptions;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;

/**
 * The HTTP server: OpenAI routes under {@code /v1}, Ollama routes under {@code /api}, {@code /health} and
 * {@code /metrics}. Handlers run on virtual threads (Helidon SE 4). One {@link #start} over the server's
 * {@link ServerParts}, shared by {@code hearth serve} and the tests.
 */
public final class HearthServer implements AutoCloseable {
    private final WebServer server;

    private final ConnectionGuard guard;
    private final Drain drain;

    private HearthServer(WebServer server, ConnectionGuard guard, Drain drain) {
        this.server = server;
        this.guard = guard;
        this.drain = drain;
    }

    /**
     * Graceful shutdown: {@code /health} turns 503 and new requests get 503 at once; the requests in flight have
     * {@code grace} to finish; then {@code abort} ends the rest (their streams get an error event and the end marker),
     * they get a few seconds to write it, and the server stops.
     *
     * @return the requests still in flight when the grace ran out (ended by {@code abort})
     */
    public int drain(Duration grace, Runnable abort) throws InterruptedException {
        drain.start();
        int cut = 0;
        if (!drain.awaitIdle(grace)) {
            cut = drain.inFlight();
            abort.run();
            drain.awaitIdle(Duration.ofSeconds(5));
        }
        close();
        return cut;
    }

    /** Starts serving {@code parts} on their host and port. */
    public static HearthServer start(ServerParts parts) {
        ServerSettings settings = parts.settings();
        ConnectionLimits limits = settings.connections();
        ConnectionGuard guard = new ConnectionGuard(limits);
        Drain drain = new Drain();
        IdleReclaim reclaim = IdleReclaim.PROCESS;
        WebServer server = WebServer.builder()
                // SIGTERM is ours to handle (drain, then stop): Helidon's own hook would cut requests in flight
                .shutdownHook(false)
                .host(settings.host())
                .port(settings.port())
                // streamed answers end with a small chunk: without TCP_NODELAY it waits out the client's delayed ACK
                .connectionOptions(SocketOptions.builder().tcpNoDelay(true).build())
                // Helidon's idle timeout counts from the start of the last request and would close a long request's
                // connection once answered: the guard's idle timeout replaces it
                .idleConnectionTimeout(Duration.ofDays(365))
                .idleConnectionPeriod(Duration.ofHours(1))
                .maxTcpConnections(limits.maxConnections())
                // HTTP/1 only, each connection read through the guard's eyes
                .protocolsDiscoverServices(false)
                .addConnectionSelector(new WatchedConnections(guard))
                .routing(r -> routing(r, parts, guard, drain, reclaim))
                .build()
                .start();
        return new HearthServer(server, guard, drain);
    }

    /** Every route, filter and the one error handler. */
    private static void routing(HttpRouting.Builder r, ServerParts parts, ConnectionGuard guard, Drain drain,
            IdleReclaim reclaim) {
        Router router = parts.router();
        ServerSettings settings = parts.settings();
        ServerMetrics metrics = parts.metrics();
        AgentGate agents = parts.agents();
        Backend backend = router.local();
        metrics.onGeneration(router.queueWait()::finished);
        // handlers read bodies within the guard's body timeout
        RequestContext context = new RequestContext(backend, metrics, router, settings.maxBodyBytes(),
                (req, limit) -> guard.readBody(() -> Json.readBounded(req.content().inputStream(), limit)));
        PullHandler pull = new PullHandler(context, parts.puller());
        OpenAiHandlers openAi = new OpenAiHandlers(context);
        OllamaHandlers ollama = new OllamaHandlers(context);
        r.addFilter(new ConnectionFilter(guard, drain, reclaim));
        r.addFilter(new AccessFilter(settings, metrics, agents));
        r.error(Throwable.class, ErrorWriter::write);
        r.register(new WebRoutes(router, metrics, agents));
        r.get("/health", (req, res) -> health(backend, drain, res))
                .get("/metrics", (req, res) -> writeMetrics(metrics, router, agents, res))
                .get("/v1/usage", (req, res) -> usage(agents, req, res))
                .post("/v1/chat/completions", openAi::chatCompletions)
                .post("/v1/completions", openAi::completions)
                .post("/v1/embeddings", openAi::embeddings)
                .get("/v1/models", openAi::models)
                .get("/v1/models/*", openAi::model)
                .post("/api/chat", ollama::chat)
                .post("/api/generate", ollama::generate)
                .get("/api/tags", ollama::tags)
                .post("/api/show", ollama::show)
                .get("/api/ps", ollama::ps)
                .get("/api/version", ollama::version)
                .post("/api/embed", ollama::embed)
                .post("/api/pull", pull::pull)
                .any((req, res) -> {
                    throw ApiException.notFound("no route for " + req.prologue().method().text() + " "
                            + req.path().path());
                });
    }

    private static void health(Backend backend, Drain drain, ServerResponse res) {
        Health.Report report = Health.of(backend, drain.draining());
        Json.send(res, report.status(), report.body());
    }

    /** Per-agent totals from the ledger: {@code ?since=1h} (default 24h) and {@code &agent=NAME}. */
    private static void usage(AgentGate agents, ServerRequest req, ServerResponse res) {
        if (agents == null) {
            throw ApiException.notFound("usage is recorded only when the server runs with agents");
        }
        String since = req.query().first("since").orElse("24h");
        java.time.Duration window;
        try {
            window = UsageSummary.parseSince(since);
        } catch (IllegalArgumentException e) {
            throw ApiException.badParam("since", e.getMessage());
        }
        String agent = req.query().first("agent").orElse(null);
        Json.send(res, 200, Map.of("object", "usage", "since", since,
                "data", agents.usage(System.currentTimeMillis() - window.toMillis(), agent)));
    }

    private static void writeMetrics(ServerMetrics metrics, Router router, AgentGate agents, ServerResponse res)
            throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        metrics.write(out);
        router.metrics().write(out);
        if (agents != null) {
            agents.metrics().write(out);
        }
        res.header(HeaderNames.CONTENT_TYPE, ServerMetrics.CONTENT_TYPE);
        res.send(out.toByteArray());
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.stop();
        guard.close();
    }
}
