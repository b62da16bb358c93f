package dev.hearth.server.web;

import static dev.hearth.server.web.HeadlessChromium.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.engine.Priority;
import dev.hearth.kv.KvPrecision;
import dev.hearth.server.agents.AgentGate;
import dev.hearth.server.agents.AgentLimits;
import dev.hearth.server.agents.AgentPolicy;
import dev.hearth.server.agents.RouteClass;
import dev.hearth.server.http.HearthServer;
import dev.hearth.server.http.ServerParts;
import dev.hearth.server.http.ServerSettings;
import dev.hearth.server.metrics.ServerMetrics;
import dev.hearth.server.local.LoadOptions;
import dev.hearth.server.local.LocalBackend;
import dev.hearth.server.local.ModelLoader;
import dev.hearth.server.route.QueueWaitEstimator;
import dev.hearth.server.metrics.RouteMetrics;
import dev.hearth.server.route.Router;
import dev.hearth.server.config.ConfigLoader;
import dev.hearth.testing.Fixtures;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * The chat and the dashboard in headless Chromium against a real server: the qwen3 fixture model loaded locally, a
 * route {@code hostile} to an upstream whose answers carry script, agent keys with an admin key. The tests run in
 * order on one browser (the chat's conversation and key carry over, as for a user). Screenshots of both pages at
 * 1280x800 go to {@code target/screenshots/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WebPagesBrowserTest {
    static final String ADMIN_KEY = "admin-key-for-the-browser-test";
    static final Duration WAIT = Duration.ofSeconds(30);
    static final Path SCREENSHOTS = Path.of("target", "screenshots");
    static final ObjectMapper JSON = new ObjectMapper();

    static HostileUpstream upstream;
    static LocalBackend local;
    static Router router;
    static AgentGate agents;
    static HearthServer server;
    static HeadlessChromium browser;
    static String agentKey;
    static Path home;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        upstream = new HostileUpstream();
        local = new LocalBackend();
        local.add(ModelLoader.load(Fixtures.model("qwen3-fx-Q8_0.gguf"), "qwen3",
                new LoadOptions(4, 2048, 2, 64, 16, KvPrecision.F32)));
        router = new Router(ConfigLoader.parse("web.yaml", """
                backends:
                  hostile:
                    type: openai
                    url: %s
                    models: [%s]
                routes:
                  - model: hostile
                    targets: [hostile/%s]
                """.formatted(upstream.url(), HostileUpstream.MODEL, HostileUpstream.MODEL)), local, Map.of(),
                Map.of(), new RouteMetrics(), new QueueWaitEstimator(System::nanoTime));
        home = Files.createTempDirectory("hearth-web");
        agents = AgentGate.open(home.resolve("agents.db"), ADMIN_KEY);
        agentKey = agents.keys().create(new AgentPolicy("alpha", Priority.NORMAL, AgentLimits.UNLIMITED,
                RouteClass.LOCAL, System.currentTimeMillis())).key();
        server = HearthServer.start(ServerParts.of(router, new ServerSettings("127.0.0.1", 0, ADMIN_KEY,
                ServerSettings.DEFAULT_MAX_BODY_BYTES), new ServerMetrics(local)).withAgents(agents));
        browser = new HeadlessChromium();
    }

    @AfterAll
    static void stop() throws Exception {
        try (var b = browser; var s = server; var r = router; var l = local; var a = agents; var u = upstream) {
            // closed in reverse order
        }
    }

    static String base() {
        return "http://127.0.0.1:" + server.port();
    }

    @Test
    @Order(1)
    void statsAreForTheAdminAndThePagesAreOpen() throws Exception {
        assertThat(get("/v1/stats", null).statusCode()).isEqualTo(401);
        HttpResponse<String> forbidden = get("/v1/stats", agentKey);
        assertThat(forbidden.statusCode()).isEqualTo(403);
        assertThat(forbidden.body()).contains("needs the admin key");
        HttpResponse<String> stats = get("/v1/stats", ADMIN_KEY);
        assertThat(stats.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(stats.body());
        assertThat(body.at("/models/0/name").asText()).isEqualTo("qwen3");
        assertThat(body.at("/models/0/kv_blocks_total").asInt()).isEqualTo(body.at("/totals/kv_blocks_free").asInt());
        assertThat(body.at("/backends/0/circuits/0").asText()).isEqualTo("closed");

        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(base() + "/"))
                .header("Accept", "text/html").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("content-security-policy").orElse("")).contains("script-src 'self'");
        assertThat(get("/", null).body()).isEqualTo("Hearth is running");  // what Ollama clients probe
        HttpResponse<String> library = get("/webjars/dompurify/dist/purify.min.js", null);
        assertThat(library.statusCode()).isEqualTo(200);
        assertThat(library.headers().firstValue("content-type").orElse("")).startsWith("text/javascript");
        assertThat(get("/webjars/dompurify/..%2F..%2F..%2Fmaven%2Forg.webjars.npm%2Fdompurify%2Fpom.xml", null)
                .statusCode()).isEqualTo(404);
        assertThat(get("/assets/nothing.js", null).statusCode()).isEqualTo(404);
    }

    @Test
    @Order(2)
    void theChatAsksForTheKeyThenListsTheModelsWithoutConsoleErrors() throws Exception {
        browser.open(base() + "/");
        await("the picker to say a key is needed", WAIT, () -> optionTexts().contains("API key needed"));
        assertThat(text(".error.notice")).contains("Enter the API key in Settings");
        browser.consoleErrors();  // the refused /v1/models: expected
        WebElement key = browser.driver.findElement(By.id("api-key"));
        key.sendKeys(ADMIN_KEY, Keys.TAB);
        await("the picker to list the models", WAIT, () -> optionTexts().containsAll(List.of("qwen3", "hostile")));
        browser.driver.navigate().refresh();
        await("the picker after a reload", WAIT, () -> optionTexts().containsAll(List.of("qwen3", "hostile")));
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    @Order(3)
    void aTypedMessageStreamsAnAnswer() throws Exception {
        choose("qwen3");
        setField("max-tokens", "160");
        browser.driver.findElement(By.id("input")).sendKeys("Hello", Keys.chord(Keys.SHIFT, Keys.ENTER), "there",
                Keys.ENTER);
        Set<Integer> lengths = new LinkedHashSet<>();
        await("the answer to finish", WAIT, () -> {
            lengths.add(lastAnswerText().length());
            return !isPending();
        });
        lengths.remove(0);
        assertThat(lengths).as("the answer grew in several renders while streaming").hasSizeGreaterThan(1);
        assertThat(lastAnswerText()).isNotBlank();
        assertThat((String) browser.js("const u = document.querySelectorAll('article.message.user .text');"
                + "return u[u.length - 1].textContent;")).isEqualTo("Hello\nthere");
        assertThat(lastStats()).containsPattern("\\d+ prompt tokens · \\d+ generated");
        assertThat(browser.driver.findElement(By.id("input")).getAttribute("value")).isEmpty();
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    @Order(4)
    void stopCancelsTheSequenceInTheEngine() throws Exception {
        setField("max-tokens", "1800");
        browser.driver.findElement(By.id("input")).sendKeys("Tell me a long story", Keys.ENTER);
        await("the answer to start", WAIT, () -> lastAnswerText().length() > 20);
        assertThat(running()).isEqualTo(1);
        browser.driver.findElement(By.id("stop")).click();
        await("the page to show it stopped", WAIT, () -> lastStats().contains("stopped"));
        await("the engine to drop the sequence", WAIT, () -> running() == 0);
        long generated = stats().at("/totals/generated_tokens").asLong();
        String shown = lastAnswerText();
        Thread.sleep(300);
        assertThat(stats().at("/totals/generated_tokens").asLong()).isEqualTo(generated);
        assertThat(lastAnswerText()).isEqualTo(shown);
        assertThat(browser.driver.findElement(By.id("send")).isDisplayed()).isTrue();
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    @Order(5)
    void aRefusedRequestShowsTheServersErrorInPlace() throws Exception {
        setField("extra-json", "{\"top_p\": 7}");
        browser.driver.findElement(By.id("input")).sendKeys("Sample oddly", Keys.ENTER);
        await("the answer to fail", WAIT, () -> !isPending());
        String error = (String) browser.js("const e = document.querySelectorAll('article.message.assistant .error');"
                + "return e[e.length - 1].textContent;");
        assertThat(error).startsWith("The server answered 400:").contains("top_p");
        setField("extra-json", "");
        browser.consoleErrors();  // the failed request's own line: expected
    }

    @Test
    @Order(6)
    void conversationsAreRenamedAndDeleted() throws Exception {
        WebElement first = browser.driver.findElement(By.cssSelector(".conversation.active"));
        first.findElement(By.cssSelector("button[title='Rename']")).click();
        var prompt = browser.driver.switchTo().alert();
        prompt.sendKeys("Greetings");
        prompt.accept();
        await("the new title", WAIT, () -> text(".conversation.active .conversation-open").equals("Greetings"));
        browser.driver.findElement(By.id("new-chat")).click();
        setField("max-tokens", "16");
        browser.driver.findElement(By.id("input")).sendKeys("A chat to throw away", Keys.ENTER);
        await("its answer", WAIT, () -> !isPending());
        assertThat(conversationTitles()).containsExactly("A chat to throw away", "Greetings");
        browser.driver.findElement(By.cssSelector(".conversation.active button[title='Delete']")).click();
        browser.driver.switchTo().alert().accept();
        await("the deletion", WAIT, () -> conversationTitles().equals(List.of("Greetings")));
        browser.driver.navigate().refresh();  // kept in localStorage
        await("the list after a reload", WAIT, () -> conversationTitles().equals(List.of("Greetings")));
        assertThat(text(".conversation.active .conversation-open")).isEqualTo("Greetings");
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    @Order(7)
    void aModelForcedToWriteMarkupRunsNothing() throws Exception {
        // the real model, its output forced by a grammar to be the payload
        String payload = "<img src=\"x\" onerror=\"window.__xss=1\"> <script>window.__xss=2</script> done";
        setField("max-tokens", "80");
        setField("extra-json", JSON.writeValueAsString(Map.of("grammar",
                "root ::= " + JSON.writeValueAsString(payload))));
        browser.driver.findElement(By.id("input")).sendKeys("Say the payload", Keys.ENTER);
        await("the forced answer", WAIT, () -> !isPending());
        setField("extra-json", "");
        String stored = (String) browser.js("const c = JSON.parse(localStorage.getItem('hearth.conversations'));"
                + "const m = c.find(x => x.id === localStorage.getItem('hearth.current')).messages;"
                + "return m[m.length - 1].content;");
        assertThat(stored).isEqualTo(payload);
        assertThat(lastAnswerText().strip()).isEqualTo("done");
        assertNothingRan();
    }

    @Test
    @Order(8)
    void hostileContentReasoningAndToolCallsRunNothing() throws Exception {
        browser.driver.findElement(By.id("new-chat")).click();
        choose("hostile");
        browser.driver.findElement(By.id("input")).sendKeys("Show me what you can do", Keys.ENTER);
        await("the hostile answer", WAIT, () -> !isPending());
        assertNothingRan();
        assertThat(text("article.message.assistant h2")).isEqualTo("A hostile answer");
        assertThat(text("article.message.assistant pre code.hljs")).contains("def greet(name):");
        assertThat(browser.driver.findElements(By.cssSelector("article.message.assistant pre button.copy"))).hasSize(1);
        assertThat(text(".tool-name")).isEqualTo(HostileUpstream.TOOL_NAME);
        assertThat(text(".tool-args")).contains("onerror");
        assertThat((String) browser.js("return document.querySelector('article.message.assistant details.reasoning').textContent"))
                .contains("a demo");
        assertThat(lastStats()).contains("12 prompt tokens · 96 generated").contains("tool calls");
        browser.driver.findElement(By.id("toggle-settings")).click();  // closed, for the picture
        browser.js("document.getElementById('messages').scrollTop = 0");
        browser.screenshot(SCREENSHOTS.resolve("chat.png"));
    }

    @Test
    @Order(9)
    void theDashboardNeedsTheAdminKeyAndUpdatesWhileRequestsRun() throws Exception {
        browser.js("localStorage.removeItem('hearth.apiKey')");
        browser.open(base() + "/dashboard");
        await("the key form", WAIT, () -> browser.driver.findElement(By.id("key-panel")).isDisplayed());
        browser.driver.findElement(By.id("admin-key")).sendKeys(agentKey, Keys.ENTER);
        await("the refusal of an agent key", WAIT, () -> text("#key-reason").contains("not the admin key"));
        browser.driver.findElement(By.id("admin-key")).sendKeys(ADMIN_KEY, Keys.ENTER);
        await("the dashboard", WAIT, () -> browser.driver.findElement(By.id("dashboard")).isDisplayed()
                && updates() > 0);
        browser.consoleErrors();  // the refused keys: expected
        AtomicBoolean load = new AtomicBoolean(true);
        List<String> failures = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (String agent : List.of("planner", "coder", "reviewer")) {
                pool.submit(() -> {
                    while (load.get()) {
                        HttpResponse<String> r = post(agent, "{\"model\":\"qwen3\",\"max_tokens\":48,"
                                + "\"messages\":[{\"role\":\"user\",\"content\":\"Work, " + agent + "\"}]}");
                        if (r.statusCode() != 200) {
                            failures.add(r.statusCode() + " " + r.body());
                        }
                    }
                    return null;
                });
            }
            try {
                int before = chartPoints();
                try {
                    await("a chart point with tokens generated", WAIT, () -> maxGenerated() > 0);
                } catch (AssertionError e) {  // say why: the load's answers and what the server counted
                    throw new AssertionError(e.getMessage() + "; load failures " + failures + "; chart "
                            + browser.js("return JSON.stringify(window.hearthCharts['chart-tokens'].data)")
                            + "; stats " + stats(), e);
                }
                await("the agents in the table", WAIT, () -> text("#agents-table").contains("reviewer"));
                assertThat(text("#agents-table")).containsPattern("planner\\s+high");
                int seen = updates();
                await("more polls", WAIT, () -> updates() >= seen + 2);
                assertThat(chartPoints()).isGreaterThan(before);
                assertThat(text("#models-table")).contains("qwen3").contains("Q8_0");
                assertThat(text("#errors")).contains("400 /v1/chat/completions").contains("top_p");
                assertThat(text("#routes-table")).contains("local/qwen3").contains("hostile/evil").contains("closed");
                browser.screenshot(SCREENSHOTS.resolve("dashboard.png"));
            } finally {
                load.set(false);  // the load threads end, then the pool closes
            }
        }
        assertThat(failures).isEmpty();
        assertThat(browser.consoleErrors()).isEmpty();
    }

    // ---------- helpers ----------

    void assertNothingRan() {
        assertThat(browser.js("return window.__xss === undefined ? null : String(window.__xss)")).isNull();
        Map<String, Object> found = browser.map("""
                const box = document.getElementById('messages');
                const handlers = [...box.querySelectorAll('*')].filter(e => [...e.attributes]
                    .some(a => a.name.startsWith('on'))).length;
                return {dangerous: box.querySelectorAll('img, script, iframe, svg, object, embed').length,
                        handlers: handlers,
                        scriptLinks: box.querySelectorAll('a[href^="javascript"]').length};""");
        assertThat(found).containsEntry("dangerous", 0L).containsEntry("handlers", 0L)
                .containsEntry("scriptLinks", 0L);
        // A handler that got into the page would be blocked by its CSP, which logs an error naming the script that
        // inserted it. DOMPurify's own parse of the text (an inert document) logs such a report for each handler it
        // then strips, naming purify.min.js: those are the sanitizer at work, every other error fails.
        String sanitizer = base() + "/webjars/dompurify/";
        assertThat(browser.consoleErrors()).filteredOn(e -> !(e.startsWith(sanitizer)
                && e.contains("Executing inline event handler"))).isEmpty();
    }

    List<String> optionTexts() {
        // read at once in the page: the list is replaced while it loads
        @SuppressWarnings("unchecked")
        List<String> texts = (List<String>) browser.js(
                "return [...document.querySelectorAll('#model option')].map(o => o.textContent)");
        return texts;
    }

    List<String> conversationTitles() {
        @SuppressWarnings("unchecked")
        List<String> titles = (List<String>) browser.js(
                "return [...document.querySelectorAll('.conversation-open')].map(b => b.textContent)");
        return titles;
    }

    void choose(String model) {
        browser.driver.findElement(By.cssSelector("#model option[value='" + model + "']")).click();
    }

    void setField(String id, String value) {
        if (!browser.driver.findElement(By.id("settings")).isDisplayed()) {
            browser.driver.findElement(By.id("toggle-settings")).click();
        }
        WebElement field = browser.driver.findElement(By.id(id));
        field.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.DELETE);
        if (!value.isEmpty()) {
            field.sendKeys(value);
        }
    }

    String text(String css) {
        return browser.driver.findElement(By.cssSelector(css)).getText();
    }

    String lastAnswerText() {
        Object t = browser.js("const a = document.querySelectorAll('article.message.assistant > .markdown');"
                + "return a.length ? a[a.length - 1].textContent : '';");
        return (String) t;
    }

    String lastStats() {
        Object t = browser.js("const a = document.querySelectorAll('article.message.assistant .stats');"
                + "return a.length ? a[a.length - 1].textContent : '';");
        return (String) t;
    }

    boolean isPending() {
        return browser.driver.findElement(By.id("stop")).isDisplayed();
    }

    int updates() {
        Object v = browser.js("return Number(document.body.dataset.updates || 0)");
        return ((Number) v).intValue();
    }

    int chartPoints() {
        return ((Number) browser.js("return window.hearthCharts['chart-tokens'].data[0].length")).intValue();
    }

    double maxGenerated() {
        return ((Number) browser.js("return Math.max(0, ...window.hearthCharts['chart-tokens'].data[1])"))
                .doubleValue();
    }

    static JsonNode stats() {
        try {
            return JSON.readTree(get("/v1/stats", ADMIN_KEY).body());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static long running() {
        return stats().at("/totals/running").asLong();
    }

    static HttpResponse<String> get(String path, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String agent, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + ADMIN_KEY).header("X-Hearth-Agent", agent)
                .header("X-Hearth-Priority", agent.equals("planner") ? "high" : "normal")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
