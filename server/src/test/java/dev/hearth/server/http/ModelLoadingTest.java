package dev.hearth.server.http;

import dev.hearth.server.http.api.Json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.kv.KvPrecision;
import dev.hearth.server.hub.HfClient;
import dev.hearth.server.hub.HubSettings;
import dev.hearth.server.hub.HubTestSupport;
import dev.hearth.server.hub.MachineProfile;
import dev.hearth.server.hub.ModelStore;
import dev.hearth.server.hub.Planner;
import dev.hearth.server.hub.Puller;
import dev.hearth.server.backend.InsufficientMemoryException;
import dev.hearth.server.local.LoadOptions;
import dev.hearth.server.local.LoadedModels;
import dev.hearth.server.local.LocalBackend;
import dev.hearth.server.local.ModelSpec;
import dev.hearth.server.backend.UnknownModelException;
import dev.hearth.server.local.StoreModelSource;
import dev.hearth.testing.Fixtures;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models as Ollama handles them: {@code /api/pull} from a fake Hugging Face hub into a temporary store, loading on
 * first request, keep-alive expiry and unload, the planner's refusal, and {@code /health}.
 */
class ModelLoadingTest {
    static final String REPO = "test/Qwen2-FX-GGUF";
    static final LoadOptions OPTIONS = new LoadOptions(2, 256, 2, 16, 8, KvPrecision.F32);
    @TempDir
    Path home;

    /** A server over an empty store whose models load on demand; the fake hub has the qwen2-fx fixture. */
    TestServer server(MachineProfile machine, Duration keepAlive, AtomicReference<AutoCloseable> hub)
            throws Exception {
        ModelStore store = new ModelStore(home);
        AtomicReference<URI> endpoint = new AtomicReference<>();
        hub.set(HubTestSupport.fakeHub(REPO, false, Map.of("qwen2-fx-Q8_0.gguf",
                Files.readAllBytes(Fixtures.model("qwen2-fx-Q8_0.gguf"))), endpoint::set));
        Puller puller = new Puller(store, new HfClient(new HubSettings(endpoint.get(), null, 2, Duration.ofMillis(5),
                Duration.ofSeconds(5))));
        LocalBackend backend = new LocalBackend(new LoadedModels(new StoreModelSource(store, new Planner(machine),
                OPTIONS, puller), keepAlive, System::currentTimeMillis));
        return new TestServer(backend, ServerSettings.ephemeral(), puller);
    }

    static MachineProfile machine(long memory) {
        return new MachineProfile(memory, 2, 10e9, 1e11);
    }

    static List<JsonNode> lines(String ndjson) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : ndjson.split("\n")) {
            if (!line.isBlank()) {
                out.add(Json.MAPPER.readTree(line));
            }
        }
        return out;
    }

    /** Pulls the fixture through /api/pull and returns the name it is stored under. */
    String pull(TestServer s) throws Exception {
        HttpResponse<String> r = s.post("/api/pull", "{\"model\": \"hf://" + REPO + ":Q8_0\"}");
        assertThat(r.statusCode()).isEqualTo(200);
        List<JsonNode> events = lines(r.body());
        assertThat(events.getFirst().path("status").asText()).isEqualTo("pulling manifest");
        assertThat(events.getLast().path("status").asText()).as(r.body()).isEqualTo("success");
        JsonNode progress = events.stream().filter(e -> e.has("completed")).reduce((a, b) -> b).orElseThrow();
        assertThat(progress.path("completed").asLong()).isEqualTo(progress.path("total").asLong()).isPositive();
        return new ModelStore(home).list().getFirst().name();
    }

    static boolean waitUntil(java.util.function.BooleanSupplier condition, long millis) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < end) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(50);
        }
        return condition.getAsBoolean();
    }

    @Test
    void pullThenLoadOnFirstUseThenUnloadWhenIdle() throws Exception {
        AtomicReference<AutoCloseable> hub = new AtomicReference<>();
        try (TestServer s = server(machine(64L << 30), Duration.ofMillis(1500), hub); AutoCloseable h = hub.get()) {
            assertThat(s.get("/health").statusCode()).isEqualTo(503);
            HttpResponse<String> missing = s.post("/v1/chat/completions", "{\"model\": \"nothing-here\", \"messages\":"
                    + " [{\"role\": \"user\", \"content\": \"hi\"}]}");
            assertThat(missing.statusCode()).isEqualTo(404);
            assertThat(missing.body()).contains("not in the local store").contains("nothing-here");

            String name = pull(s);
            assertThat(s.get("/api/tags").body()).doesNotContain(name);  // stored, not loaded
            HttpResponse<String> r = s.post("/v1/chat/completions", "{\"model\": \"" + name + "\", \"max_tokens\": 3,"
                    + " \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(Json.MAPPER.readTree(r.body()).path("usage").path("completion_tokens").asInt()).isEqualTo(3);
            assertThat(s.get("/health").statusCode()).isEqualTo(200);

            JsonNode ps = Json.MAPPER.readTree(s.get("/api/ps").body()).path("models").path(0);
            assertThat(ps.path("name").asText()).isEqualTo(name);
            Instant expires = Instant.parse(ps.path("expires_at").asText());
            assertThat(expires).isAfter(Instant.now()).isBefore(Instant.now().plusSeconds(2));

            assertThat(waitUntil(() -> s.backend.models().isEmpty(), 5000)).as("unloaded after keep-alive").isTrue();
            assertThat(s.get("/health").statusCode()).isEqualTo(503);

            // loads again; keep_alive -1 keeps it, keep_alive 0 on an empty request unloads it
            r = s.post("/api/generate", "{\"model\": \"" + name + "\", \"prompt\": \"hi\", \"stream\": false,"
                    + " \"keep_alive\": -1, \"options\": {\"num_predict\": 2}}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            ps = Json.MAPPER.readTree(s.get("/api/ps").body()).path("models").path(0);
            assertThat(Instant.parse(ps.path("expires_at").asText())).isAfter(Instant.now().plus(Duration.ofDays(365)));
            Thread.sleep(2000);
            assertThat(s.backend.models()).hasSize(1);
            r = s.post("/api/generate", "{\"model\": \"" + name + "\", \"keep_alive\": 0}");
            assertThat(Json.MAPPER.readTree(r.body()).path("done_reason").asText()).isEqualTo("unload");
            assertThat(waitUntil(() -> s.backend.models().isEmpty(), 2000)).isTrue();
        }
    }

    @Test
    void aReferenceThatIsNotStoredIsPulledOnFirstUse() throws Exception {
        AtomicReference<AutoCloseable> hub = new AtomicReference<>();
        try (TestServer s = server(machine(64L << 30), Duration.ofMinutes(5), hub); AutoCloseable h = hub.get()) {
            String ref = "hf://" + REPO + "/qwen2-fx-Q8_0.gguf";
            HttpResponse<String> r = s.post("/v1/chat/completions", "{\"model\": \"" + ref + "\", \"max_tokens\": 2,"
                    + " \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(new ModelStore(home).list()).hasSize(1);
            // a catalogue model that cannot fit is refused from its known shape before anything is downloaded
            HttpResponse<String> big = s.post("/v1/chat/completions", "{\"model\": \"mixtral:8x22b\", \"messages\":"
                    + " [{\"role\": \"user\", \"content\": \"hi\"}]}");
            assertThat(big.statusCode()).as(big.body()).isEqualTo(507);
            assertThat(new ModelStore(home).list()).hasSize(1);
            // a name that is neither stored, nor in the catalogue, nor an hf:// reference is still a 404
            assertThat(s.post("/v1/chat/completions", "{\"model\": \"nothing-here\", \"messages\":"
                    + " [{\"role\": \"user\", \"content\": \"hi\"}]}").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void plannerRefusesAModelThatDoesNotFit() throws Exception {
        AtomicReference<AutoCloseable> hub = new AtomicReference<>();
        // 1.2 GiB of RAM: the planner keeps 1 GiB for the system, and the runtime alone is planned at 512 MiB
        try (TestServer s = server(machine(1200L << 20), Duration.ofMinutes(5), hub); AutoCloseable h = hub.get()) {
            String name = pull(s);
            HttpResponse<String> r = s.post("/v1/chat/completions", "{\"model\": \"" + name + "\", \"messages\":"
                    + " [{\"role\": \"user\", \"content\": \"hi\"}]}");
            assertThat(r.statusCode()).isEqualTo(507);
            JsonNode error = Json.MAPPER.readTree(r.body()).path("error");
            assertThat(error.path("code").asText()).isEqualTo("insufficient_memory");
            assertThat(error.path("message").asText()).contains(name).contains("needs").contains("are free");
            assertThat(s.backend.models()).isEmpty();
            r = s.post("/api/chat", "{\"model\": \"" + name + "\", \"messages\": [{\"role\": \"user\", \"content\":"
                    + " \"hi\"}]}");
            assertThat(r.statusCode()).isEqualTo(507);
            assertThat(Json.MAPPER.readTree(r.body()).path("error").asText()).contains("not enough memory");
        }
    }

    @Test
    void modelOptionTakesAPathOrAStoreName() throws Exception {
        AtomicReference<AutoCloseable> hub = new AtomicReference<>();
        try (TestServer s = server(machine(64L << 30), Duration.ofMinutes(5), hub); AutoCloseable h = hub.get()) {
            String name = pull(s);
            StoreModelSource source = new StoreModelSource(new ModelStore(home), new Planner(machine(64L << 30)),
                    OPTIONS);
            try (var byName = ModelSpec.load(name, OPTIONS, source, 0);
                    var byPath = ModelSpec.load(Fixtures.model("qwen2-fx-Q8_0.gguf") + "=q", OPTIONS,
                            source, 0)) {
                assertThat(byName.info().name()).isEqualTo(name);
                assertThat(byName.info().architecture()).isEqualTo("qwen2");
                assertThat(byPath.info().name()).isEqualTo("q");
            }
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> ModelSpec.load("no-such-model",
                    OPTIONS, source, 0)).isInstanceOf(UnknownModelException.class).hasMessageContaining("hearth pull");
            StoreModelSource small = new StoreModelSource(new ModelStore(home), new Planner(machine(1200L << 20)),
                    OPTIONS);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> ModelSpec.load(
                    Fixtures.model("qwen2-fx-Q8_0.gguf") + "=q", OPTIONS, small, 0))
                    .isInstanceOf(InsufficientMemoryException.class).hasMessageContaining("'q'");
        }
    }

    @Test
    void pullOfAMissingRepositoryEndsWithAnError() throws Exception {
        AtomicReference<AutoCloseable> hub = new AtomicReference<>();
        try (TestServer s = server(machine(64L << 30), Duration.ofMinutes(5), hub); AutoCloseable h = hub.get()) {
            HttpResponse<String> r = s.post("/api/pull", "{\"model\": \"hf://test/Nope-GGUF\"}");
            assertThat(lines(r.body()).getLast().path("error").asText()).contains("Nope");
            r = s.post("/api/pull", "{\"model\": \"hf://test/Nope-GGUF\", \"stream\": false}");
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.body()).contains("not found");
        }
    }

    @Test
    void pullOnFirstUseIsRefusedToCallersWhoMayNotPull() throws Exception {
        AtomicReference<AutoCloseable> hub = new AtomicReference<>();
        try (TestServer s = server(machine(64L << 30), Duration.ofMinutes(1), hub); AutoCloseable h = hub.get()) {
            String ref = "hf://" + REPO + ":Q8_0";
            Throwable refusal = org.assertj.core.api.Assertions.catchThrowable(() -> s.backend.touch(ref, null,
                    dev.hearth.server.backend.PullPermission.REFUSED));
            assertThat(refusal).isInstanceOf(dev.hearth.server.backend.UnknownModelException.class)
                    .hasMessageContaining("only the admin may make the server download it");
            assertThat(new ModelStore(home).list()).isEmpty();  // nothing was fetched
            assertThat(s.backend.touch(ref, null, dev.hearth.server.backend.PullPermission.ALLOWED).name())
                    .isNotBlank();  // the admin's, or the CLI's: pulled
        }
    }
}
