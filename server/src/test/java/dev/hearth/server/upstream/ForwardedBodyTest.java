package dev.hearth.server.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The client's bytes go upstream as they came, with only the model (and the usage option of a stream) edited. */
class ForwardedBodyTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static String forward(String raw, String model, boolean askUsage) throws Exception {
        byte[] bytes = raw.getBytes(StandardCharsets.UTF_8);
        return new String(ForwardedBody.of(bytes, (ObjectNode) JSON.readTree(bytes), model, askUsage),
                StandardCharsets.UTF_8);
    }

    @Test
    void replacesOnlyTheModelValueKeepingEveryOtherByte() throws Exception {
        String raw = "{ \"messages\": [{\"role\":\"user\",\"content\":\"héllo \\\"model\\\"\"}],\n"
                + "  \"model\" : \"assistant\", \"temperature\": 0.70, \"x\": {\"model\": \"inner\"} }";
        assertThat(forward(raw, "gpt-4o-mini", false)).isEqualTo(raw.replace("\"assistant\"", "\"gpt-4o-mini\""));
        assertThat(forward(raw, "assistant", false)).isEqualTo(raw);
        assertThat(forward(raw, "a \"quoted\" é", false)).isEqualTo(raw.replace("\"assistant\"",
                "\"a \\\"quoted\\\" é\""));
    }

    @Test
    void asksAStreamForUsageFirstAndStillParses() throws Exception {
        String raw = "{\"model\":\"r\",\"stream\":true,\"messages\":[]}";
        String out = forward(raw, "m", true);
        assertThat(out).isEqualTo("{\"stream_options\":{\"include_usage\":true},\"model\":\"m\",\"stream\":true,"
                + "\"messages\":[]}");
    }

    @Test
    void reencodesWhenTheBytesCannotBeEditedSimply() throws Exception {
        String raw = "{\"model\":\"r\",\"stream\":true,\"stream_options\":{\"include_usage\":false}}";
        var out = JSON.readTree(forward(raw, "m", true));
        assertThat(out.path("model").asText()).isEqualTo("m");
        assertThat(out.path("stream_options").path("include_usage").asBoolean()).isTrue();
        ObjectNode built = (ObjectNode) JSON.readTree("{\"model\":\"r\",\"n\":1}");
        assertThat(JSON.readTree(ForwardedBody.of(null, built, "m", false)))
                .isEqualTo(JSON.readTree("{\"model\":\"m\",\"n\":1}"));
    }
}
