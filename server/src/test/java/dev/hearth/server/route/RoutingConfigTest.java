package dev.hearth.server.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.server.local.LoadOptions;
import dev.hearth.server.local.LocalBackend;
import dev.hearth.server.config.BackendConfig;
import dev.hearth.server.config.ConfigException;
import dev.hearth.server.config.ConfigLoader;
import dev.hearth.server.config.RoutingConfig;
import dev.hearth.server.config.RoutingConfig.Target;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoutingConfigTest {
    static final String ISSUE_EXAMPLE = """
            backends:
              local:
                type: local
                models: {tiny: /models/qwen2.5-0.5b-instruct-q4_k_m.gguf}
              cloud:
                type: openai                 # any OpenAI-compatible endpoint
                url: https://api.example.com/v1
                api_key_env: CLOUD_API_KEY
                models: [gpt-4o-mini]
                price_per_million: {input: 0.15, output: 0.60}
            routes:
              - model: assistant             # the name clients ask for
                targets: [local/tiny, cloud/gpt-4o-mini]
            """;

    @Test
    void theIssueExampleParsesAsWritten() {
        RoutingConfig c = ConfigLoader.parse("issue.yaml", ISSUE_EXAMPLE);
        assertThat(c.backends().get("local")).isEqualTo(new BackendConfig.Local("local",
                Map.of("tiny", "/models/qwen2.5-0.5b-instruct-q4_k_m.gguf")));
        BackendConfig.Remote cloud = (BackendConfig.Remote) c.backends().get("cloud");
        assertThat(cloud.nodes()).hasSize(1);
        assertThat(cloud.nodes().getFirst().toString()).isEqualTo("https://api.example.com/v1");
        assertThat(cloud.apiKeyEnv()).isEqualTo("CLOUD_API_KEY");
        assertThat(cloud.prices()).isEqualTo(new BackendConfig.Prices(0.15, 0.60));
        assertThat(cloud.hearth()).isFalse();
        assertThat(c.routes()).hasSize(1);
        assertThat(c.routes().getFirst().targets()).containsExactly(new Target("local", "tiny"),
                new Target("cloud", "gpt-4o-mini"));
    }

    @Test
    void theRepositoryExamplesParse() {
        RoutingConfig c = ConfigLoader.load(Path.of("../config/hearth.example.yaml"));
        assertThat(c.backends()).containsOnlyKeys("local", "cloud");
        assertThat(((BackendConfig.Local) c.backends().get("local")).models()).containsEntry("tiny", "qwen2.5:0.5b");
        BackendConfig.Remote cloud = (BackendConfig.Remote) c.backends().get("cloud");
        assertThat(cloud.retry()).isEqualTo(new BackendConfig.Retry(3, Duration.ofMillis(200), Duration.ofSeconds(2),
                Duration.ofSeconds(5)));
        assertThat(cloud.timeouts().firstToken()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.routes().getFirst().rules()).hasSize(4);
        assertThat(c.maxQueueWait()).isEqualTo(Duration.ofSeconds(5));

        RoutingConfig cluster = ConfigLoader.load(Path.of("../config/hearth.cluster.example.yaml"));
        assertThat(cluster.backends()).containsOnlyKeys("local", "cluster", "ollama", "cloud");
        BackendConfig.Remote nodes = (BackendConfig.Remote) cluster.backends().get("cluster");
        assertThat(nodes.hearth()).isTrue();
        assertThat(nodes.nodes()).hasSize(2);
        assertThat(nodes.breaker()).isEqualTo(new BackendConfig.Breaker(3, Duration.ofSeconds(15)));
        assertThat(cluster.routes().getFirst().targets()).containsExactly(new Target("local", "tiny"),
                new Target("cluster", "qwen2.5:7b"), new Target("cloud", "gpt-4o-mini"));
    }

    @Test
    void aLocalModelIsAPathOrAModelName() {
        RoutingConfig c = ConfigLoader.parse("names.yaml", ISSUE_EXAMPLE.replace(
                "{tiny: /models/qwen2.5-0.5b-instruct-q4_k_m.gguf}", "{tiny: qwen2.5:0.5b, mine: model.gguf}"));
        assertThat(((BackendConfig.Local) c.backends().get("local")).models()).containsEntry("tiny", "qwen2.5:0.5b")
                .containsEntry("mine", "model.gguf");
        fails(ISSUE_EXAMPLE.replace("{tiny: /models/qwen2.5-0.5b-instruct-q4_k_m.gguf}", "{tiny: 'qwen:2.5:0.5b'}"),
                "line 4, backends.local.models.tiny: 'qwen:2.5:0.5b' is neither a GGUF file path nor a model name",
                "more than one ':'");
    }

    static void fails(String yaml, String... parts) {
        assertThatThrownBy(() -> ConfigLoader.parse("bad.yaml", yaml)).isInstanceOf(ConfigException.class)
                .message().contains(parts);
    }

    @Test
    void aTargetNamingNoBackendNamesTheLineAndField() {
        fails(ISSUE_EXAMPLE.replace("targets: [local/tiny, cloud/gpt-4o-mini]", "targets: [local/tiny, clod/gpt-4o-mini]"),
                "bad.yaml line 13, routes[0].targets[1]: no backend named 'clod'");
    }

    @Test
    void mistakesNameTheLineAndField() {
        fails(ISSUE_EXAMPLE.replace("type: openai ", "type: opnai  "), "line 6, backends.cloud.type: unknown type 'opnai'");
        fails(ISSUE_EXAMPLE.replace("url: https://api.example.com/v1", "url: api.example.com"),
                "line 7, backends.cloud.url: 'api.example.com' is not an http(s) URL");
        fails(ISSUE_EXAMPLE.replace("price_per_million", "price_per_milion"),
                "line 10, backends.cloud.price_per_milion: unknown key 'price_per_milion'");
        fails(ISSUE_EXAMPLE.replace("{input: 0.15, output: 0.60}", "{input: cheap, output: 0.60}"),
                "line 10, backends.cloud.price_per_million.input: expected a number >= 0, got 'cheap'");
        fails(ISSUE_EXAMPLE.replace("cloud/gpt-4o-mini]", "cloud/gpt-5]"),
                "line 13, routes[0].targets[1]: the backend 'cloud' declares no model 'gpt-5'");
        fails(ISSUE_EXAMPLE.replace("    url: https://api.example.com/v1\n", ""),
                "line 5, backends.cloud: give exactly one of 'url' and 'nodes'");
        fails(ISSUE_EXAMPLE + "    rules:\n      - when: {tools: yes please}\n        targets: [cloud/gpt-4o-mini]\n",
                "line 15, routes[0].rules[0].when.tools: expected true or false");
        fails(ISSUE_EXAMPLE.replace("    price_per_million", "    timeouts: {connect: 5 seconds}\n    price_per_million"),
                "line 10, backends.cloud.timeouts.connect: expected a duration such as 500ms");
        fails("backends: [1, 2]\n", "line 1, backends: expected a mapping");
        fails("backends:\n  a: {type: local, models: {x: /m.gguf}}\n  bad: [oops\n", "bad.yaml line", "not valid YAML");
    }

    @Test
    void aMissingApiKeyVariableDisablesTheBackendWithOneWarning() {
        RoutingConfig c = ConfigLoader.parse("issue.yaml", ISSUE_EXAMPLE);
        List<String> log = new java.util.ArrayList<>();
        try (Router r = RouterSetup.create(c, new LocalBackend(), List.of(), FakeLoad.OPTIONS, name -> null,
                log::add)) {
            assertThat(r.routeNames()).containsExactly("assistant");
        }
        assertThat(log.stream().filter(l -> l.startsWith("warning: "))).containsExactly("warning: backend cloud is"
                + " disabled: the environment variable CLOUD_API_KEY (backends.cloud.api_key_env) is not set; routes"
                + " skip its targets");
        log.clear();
        try (Router r = RouterSetup.create(c, new LocalBackend(), List.of(), FakeLoad.OPTIONS,
                name -> name.equals("CLOUD_API_KEY") ? "sk-test" : null, log::add)) {
            assertThat(r.routeNames()).containsExactly("assistant");
        }
        assertThat(log).noneMatch(l -> l.contains("cloud"));
    }

    /** Load options for the checks (the fake backend does not load files). */
    static final class FakeLoad {
        static final LoadOptions OPTIONS = new LoadOptions(4, 512, 1, 256, 16, dev.hearth.kv.KvPrecision.F32);
    }

    @Test
    void theServerSectionSetsConnectionsShutdownAndAccess() {
        RoutingConfig c = ConfigLoader.parse("server.yaml", ISSUE_EXAMPLE + """
                server:
                  header_timeout: 5s
                  idle_timeout: 2m
                  max_connections: 100
                  shutdown_grace: 10s
                  metrics_public: true
                """);
        assertThat(c.server()).isEqualTo(new dev.hearth.server.config.ServerSection(Duration.ofSeconds(5), null,
                Duration.ofMinutes(2), 100, Duration.ofSeconds(10), true, null));
        assertThatThrownBy(() -> ConfigLoader.parse("bad.yaml", ISSUE_EXAMPLE + "server: {max_connections: 0}\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("server.max_connections");
        assertThatThrownBy(() -> ConfigLoader.parse("bad.yaml", ISSUE_EXAMPLE + "server: {idle: 5s}\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("unknown key 'idle'");
    }
}
