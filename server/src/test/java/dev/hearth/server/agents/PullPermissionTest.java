package dev.hearth.server.agents;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.server.backend.PullPermission;
import dev.hearth.server.route.RouteRequest;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The access filter's pull decision travels with the caller, explicitly, to what the router hands the backend. */
class PullPermissionTest {
    @TempDir
    Path dir;

    @Test
    void theCallersPullPermissionIsTheRequestsAndNoCallerMayPull() throws Exception {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("model", "hf://test/Some-GGUF");
        body.putArray("messages").addObject().put("role", "user").put("content", "hi");
        AgentPolicy policy = AgentsTestSupport.agent("a", new AgentLimits(0, 0, 0, 0));
        try (AgentGate gate = AgentGate.open(dir.resolve(AgentDatabase.FILE_NAME), null)) {
            gate.keys().create(policy);
            Caller caller = new Caller("a", policy, false, policy.priority());
            for (PullPermission pull : PullPermission.values()) {
                AgentCall call = gate.begin(caller, "/v1/chat/completions", pull);
                assertThat(call.pull()).isEqualTo(pull);
                assertThat(RouteRequest.chat(body, h -> null).withCaller(call).pull()).isEqualTo(pull);
                gate.end(call, 200, null);
            }
        }
        assertThat(RouteRequest.chat(body, h -> null).pull()).isEqualTo(PullPermission.ALLOWED);
    }
}
