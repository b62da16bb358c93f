package dev.hearth.server.web;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executors;

/**
 * An OpenAI-compatible upstream whose streamed answer is hostile: markdown with an {@code <img onerror>}, a
 * {@code <script>} and a {@code javascript:} link in the content, the same in the reasoning and in a tool call's
 * arguments. Each payload would set {@code window.__xss} if it ran.
 */
final class HostileUpstream implements AutoCloseable {
    static final String MODEL = "evil";
    static final String CONTENT = """
            ## A hostile answer

            The page must render this **markdown** and run none of the HTML below.

            ```python
            def greet(name):
                return f"Hello, {name}!"
            ```

            - an image with a handler: <img src=x onerror="window.__xss='img'">
            - a script: <script>window.__xss='script'</script>
            - a link: <a href="javascript:window.__xss='link'">click me</a>
            - <svg onload="window.__xss='svg'"></svg><iframe src="javascript:parent.__xss='iframe'"></iframe>
            """;
    static final String REASONING = "The user wants <img src=x onerror=\"window.__xss='reasoning'\"> a demo.";
    static final String TOOL_NAME = "lookup<img src=x onerror=\"window.__xss='name'\">";
    static final String TOOL_ARGUMENTS = "{\"query\": \"<img src=x onerror=\\\"window.__xss='tool'\\\">\", \"limit\": 3}";

    private final HttpServer server;

    HostileUpstream() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/v1/chat/completions", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                event(out, delta("{\"role\":\"assistant\",\"reasoning_content\":" + quote(REASONING) + "}", null));
                for (String piece : pieces(CONTENT)) {
                    event(out, delta("{\"content\":" + quote(piece) + "}", null));
                }
                event(out, delta("{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":"
                        + "{\"name\":" + quote(TOOL_NAME) + ",\"arguments\":" + quote(TOOL_ARGUMENTS) + "}}]}",
                        null));
                event(out, delta("{}", "\"tool_calls\""));
                event(out, "{\"id\":\"h\",\"object\":\"chat.completion.chunk\",\"model\":\"evil\",\"choices\":[],"
                        + "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":96,\"total_tokens\":108}}");
                out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            }
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** The content in pieces of a few characters, as a model streams it (tags split across chunks too). */
    private static List<String> pieces(String text) {
        List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < text.length(); i += 7) {
            out.add(text.substring(i, Math.min(text.length(), i + 7)));
        }
        return out;
    }

    private static String delta(String delta, String finishReason) {
        return "{\"id\":\"h\",\"object\":\"chat.completion.chunk\",\"model\":\"evil\",\"choices\":[{\"index\":0,"
                + "\"delta\":" + delta + ",\"finish_reason\":" + finishReason + "}]}";
    }

    private static void event(OutputStream out, String json) throws IOException {
        out.write(("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static String quote(String text) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
