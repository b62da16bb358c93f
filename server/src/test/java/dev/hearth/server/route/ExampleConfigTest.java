package dev.hearth.server.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.server.http.HearthServer;
import dev.hearth.server.http.ServerParts;
import dev.hearth.server.http.ServerSettings;
import dev.hearth.server.hub.HfClient;
import dev.hearth.server.hub.HubSettings;
import dev.hearth.server.hub.MachineProfile;
import dev.hearth.server.hub.ModelStore;
import dev.hearth.server.hub.Planner;
import dev.hearth.server.hub.Puller;
import dev.hearth.server.local.LoadOptions;
import dev.hearth.server.local.LoadedModels;
import dev.hearth.server.local.LocalBackend;
import dev.hearth.server.local.StoreModelSource;
import dev.hearth.server.metrics.ServerMetrics;
import dev.hearth.server.config.ConfigLoader;
import dev.hearth.server.config.RoutingConfig;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve --config config/hearth.example.yaml} as shipped, on a fresh machine: empty store, no API key in the
 * environment, no network (the Hub is a closed local port).
 */
class ExampleConfigTest {
    static final Path EXAMPLE = Path.of("../config/hearth.example.yaml");

    @TempDir
    Path home;

    static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static HttpResponse<String> chat(HearthServer server, String model) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/v1/chat/completions")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"max_tokens\":2,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anImportedModelNamedInTheExampleIsLoadedAtStartAndServesItsRoutes() throws Exception {
        Path fixture = dev.hearth.server.cli.ModelByNameTestAccess.fixture("qwen3-fx-Q8_0.gguf");
        ModelStore store = new ModelStore(home);
        new dev.hearth.server.hub.ModelImporter(store).importFile(fixture, "qwen2.5:0.5b");
        RoutingConfig config = ConfigLoader.load(EXAMPLE);
        LoadOptions options = RoutingConfigTest.FakeLoad.OPTIONS;
        StoreModelSource source = new StoreModelSource(store, new Planner(MachineProfile.unmeasured()), options);
        LocalBackend local = new LocalBackend(new LoadedModels(source, Duration.ofMinutes(5),
                System::currentTimeMillis));
        List<String> log = new ArrayList<>();
        try (Router router = RouterSetup.create(config, local, List.of(), options, name -> null, log::add,
                source.locator())) {
            RouterSetup.loadLocal(config, local, options, new ServerMetrics(local), log::add, source.locator());
            assertThat(log).anyMatch(l -> l.startsWith("loaded tiny from " + home.resolve("blobs")));
            // no puller: the catalogue model that is not stored is named with what to do
            assertThat(log).contains("local model large cannot serve (not_stored): the model 'qwen2.5:7b' is not in"
                    + " the store; pull it first ('hearth pull qwen2.5:7b'); its routes fall back to their next"
                    + " target");
            assertThat(local.model("qwen2.5:0.5b")).as("loaded under its store name").isPresent();
            HearthServer server = HearthServer.start(ServerParts.of(router, ServerSettings.ephemeral(),
                    new ServerMetrics(local)));
            try {
                HttpResponse<String> r = chat(server, "assistant");
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                assertThat(r.headers().firstValue("x-hearth-backend")).hasValue("local/tiny");
                assertThat(chat(server, "chat-local").statusCode()).isEqualTo(200);
            } finally {
                server.close();
            }
        } finally {
            local.close();
        }
    }

    @Test
    void theShippedExampleStartsOfflineAndTheErrorNamesEverySkippedTarget() throws Exception {
        RoutingConfig config = ConfigLoader.load(EXAMPLE);
        String hub = "http://127.0.0.1:" + closedPort();
        Puller offline = new Puller(new ModelStore(home), new HfClient(new HubSettings(URI.create(hub), null, 2,
                Duration.ofMillis(10), Duration.ofSeconds(5))));
        LoadOptions options = RoutingConfigTest.FakeLoad.OPTIONS;
        StoreModelSource source = new StoreModelSource(new ModelStore(home), new Planner(MachineProfile.unmeasured()),
                options, offline);
        LocalBackend local = new LocalBackend(new LoadedModels(source, Duration.ofMinutes(5),
                System::currentTimeMillis));
        List<String> log = new ArrayList<>();
        try (Router router = RouterSetup.create(config, local, List.of(), options, name -> null, log::add,
                source.locator())) {
            RouterSetup.loadLocal(config, local, options, new ServerMetrics(local), log::add, source.locator());
            assertThat(log).containsExactlyInAnyOrder(
                    "warning: backend cloud is disabled: the environment variable CLOUD_API_KEY"
                            + " (backends.cloud.api_key_env) is not set; routes skip its targets",
                    "local model tiny (qwen2.5:0.5b) is not in the store: it is pulled on first use ('hearth pull"
                            + " qwen2.5:0.5b' fetches it now, 'hearth import FILE NAME' stores a GGUF file you have)",
                    "local model large (qwen2.5:7b) is not in the store: it is pulled on first use ('hearth pull"
                            + " qwen2.5:7b' fetches it now, 'hearth import FILE NAME' stores a GGUF file you have)");
            HearthServer server = HearthServer.start(ServerParts.of(router, ServerSettings.ephemeral(),
                    new ServerMetrics(local)));
            try {
                HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + server.port() + "/v1/chat/completions"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"assistant\",\"messages\":[{\"role\":"
                                + "\"user\",\"content\":\"hi\"}]}")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(502);
                assertThat(r.body()).contains("no target could serve 'assistant': local/tiny (")
                        .contains("the model 'qwen2.5:0.5b' is not in the local store and pulling it failed")
                        .contains(hub).contains("hearth import FILE qwen2.5:0.5b")
                        .contains("; cloud/gpt-4o-mini (backend cloud is disabled: the environment variable"
                                + " CLOUD_API_KEY is not set)");
                // the next request does not wait through the retries again: it gets the same failure at once
                HttpResponse<String> again = chat(server, "assistant");
                assertThat(again.statusCode()).isEqualTo(502);
                assertThat(again.body()).contains("pulling it failed").contains(" s ago; the next try is in ");
            } finally {
                server.close();
            }
        } finally {
            local.close();
        }
    }
}
