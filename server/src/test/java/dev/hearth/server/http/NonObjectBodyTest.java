package dev.hearth.server.http;

import dev.hearth.server.http.api.Json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.server.route.FakeBackends;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A body that is not a JSON object is a 400 naming the body on every POST endpoint; no message names a Java type. */
class NonObjectBodyTest {
    static final List<String> ENDPOINTS = List.of("/v1/chat/completions", "/v1/completions", "/v1/embeddings",
            "/api/chat", "/api/generate", "/api/embed", "/api/show", "/api/pull");
    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer(FakeBackends.create(2, 128, 8, 0));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String message(HttpResponse<String> response) throws Exception {
        JsonNode body = Json.MAPPER.readTree(response.body());
        JsonNode error = body.get("error");
        return error.isTextual() ? error.asText() : error.get("message").asText();
    }

    @Test
    void nullArraysAndScalarsAre400sNamingTheBody() throws Exception {
        for (String endpoint : ENDPOINTS) {
            for (String[] c : new String[][] {{"null", "null"}, {" [1, 2]", "an array"}, {"5", "a number"},
                    {"\"hi\"", "a string"}, {"true", "a boolean"}}) {
                HttpResponse<String> r = server.post(endpoint, c[0]);
                assertThat(r.statusCode()).as(endpoint + " " + c[0] + ": " + r.body()).isEqualTo(400);
                assertThat(message(r)).isEqualTo("the request body must be a JSON object, got " + c[1]);
            }
        }
    }

    @Test
    void wrongTypesNameTheJsonKindNotTheJavaType() throws Exception {
        String[][] cases = {
            {"/v1/chat/completions", "{\"model\": \"m\", \"messages\": \"hi\"}", "messages"},
            {"/v1/chat/completions", "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"stop\": {\"a\": 1}}", "stop"},
            {"/v1/embeddings", "{\"model\": \"m\", \"input\": {\"a\": 1}}", "input"},
            {"/api/chat", "{\"model\": \"m\", \"messages\": 7}", "messages"},
            {"/api/generate", "{\"model\": \"m\", \"prompt\": [1], \"options\": []}", ""},
            {"/api/show", "{\"model\": [\"m\"]}", "model"},
        };
        for (String[] c : cases) {
            HttpResponse<String> r = server.post(c[0], c[1]);
            assertThat(r.statusCode()).as(c[0] + " " + c[1] + ": " + r.body()).isEqualTo(400);
            String message = message(r);
            assertThat(message).as(c[0] + " " + c[1]).contains(c[2]).doesNotContain("java.").doesNotContain("dev.hearth")
                    .doesNotContain("`").doesNotContain("Exception");
        }
    }
}
