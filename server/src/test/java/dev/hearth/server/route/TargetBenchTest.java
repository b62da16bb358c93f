package dev.hearth.server.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.server.cli.TargetBench;
import dev.hearth.server.route.FakeUpstream.Behaviour;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code hearth bench --target}: the same prompts against a bare upstream and a Hearth in front of it. */
class TargetBenchTest {

    @Test
    void benchesEndpointsSideBySide() throws Exception {
        try (FakeUpstream up = new FakeUpstream(n -> n == 1 ? Behaviour.ERROR_500 : Behaviour.OK);
                RoutedServer hearth = new RoutedServer(RouterFaultTest.config(up.url()), FakeBackends.create())) {
            List<TargetBench.Result> results = TargetBench.run(List.of(
                    TargetBench.Target.parse(up.url(), "gpt-test", null, 0.15, 0.60),
                    TargetBench.Target.parse(hearth.base() + "/v1#assistant", null, null, 0, 0)),
                    List.of("one", "two"), 16, 2);
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            TargetBench.print(results, new PrintStream(text, true));
            System.out.println(text);
            TargetBench.Result direct = results.get(0);
            // the upstream's second answer is a 500: one error, three answers of 1000 + 2000 tokens
            assertThat(direct.requests()).isEqualTo(4);
            assertThat(direct.errors()).isEqualTo(1);
            assertThat(direct.completionTokens()).isEqualTo(3 * 2000);
            assertThat(direct.costDollars()).isEqualTo((3 * 1000 * 0.15 + 3 * 2000 * 0.60) / 1e6);
            assertThat(direct.ttftMs()).isLessThanOrEqualTo(direct.latencyMs());
            TargetBench.Result routed = results.get(1);
            assertThat(routed.errors()).isZero();
            assertThat(routed.completionTokens()).isEqualTo(4 * 2000);
            assertThat(routed.backend()).isEqualTo("cloud/gpt-test");
            assertThat(text.toString()).contains("#assistant", "cloud/gpt-test", "TTFT ms");
        }
    }
}
