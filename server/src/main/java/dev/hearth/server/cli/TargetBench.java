package dev.hearth.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code hearth bench --target URL [--target URL2]}: the same prompts, streamed, against OpenAI-compatible endpoints
 * one after the other; per target the median latency, time to first token, decode tokens/s (completion tokens over
 * the time after the first token) and cost from the given prices, side by side.
 */
public final class TargetBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param url base URL ending before {@code /chat/completions}
     * @param model the model name to ask for
     * @param priceInput dollars per million prompt tokens
     */
    public record Target(String url, String model, String apiKey, double priceInput, double priceOutput) {
        /** {@code URL} or {@code URL#MODEL}. */
        public static Target parse(String spec, String defaultModel, String apiKey, double in, double out) {
            int hash = spec.indexOf('#');
            String url = hash < 0 ? spec : spec.substring(0, hash);
            String model = hash < 0 ? defaultModel : spec.substring(hash + 1);
            if (!url.startsWith("http://") && !url.startsWith("https://")) {
                throw new IllegalArgumentException("--target " + spec + ": expected http(s)://host:port/v1[#model]");
            }
            if (model == null || model.isBlank()) {
                throw new IllegalArgumentException("--target " + spec + ": name the model as URL#MODEL or with"
                        + " --target-model");
            }
            return new Target(url.endsWith("/") ? url.substring(0, url.length() - 1) : url, model, apiKey, in, out);
        }
    }

    /** Medians over the successful requests; {@code backend} is the last {@code x-hearth-backend} seen. */
    public record Result(Target target, int requests, int errors, double latencyMs, double ttftMs,
            double tokensPerSecond, long promptTokens, long completionTokens, double costDollars, String backend) {}

    private record One(double latencyMs, double ttftMs, long prompt, long completion, String backend) {}

    public static List<Result> run(List<Target> targets, List<String> prompts, int maxTokens, int repetitions) {
        List<Result> results = new ArrayList<>();
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build()) {
            for (Target t : targets) {
                List<One> ok = new ArrayList<>();
                int errors = 0;
                for (int r = 0; r < repetitions; r++) {
                    for (String p : prompts) {
                        try {
                            ok.add(one(client, t, p, maxTokens));
                        } catch (IOException | RuntimeException e) {
                            errors++;
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return results;
                        }
                    }
                }
                long prompt = ok.stream().mapToLong(One::prompt).sum();
                long completion = ok.stream().mapToLong(One::completion).sum();
                results.add(new Result(t, ok.size() + errors, errors,
                        median(ok.stream().mapToDouble(One::latencyMs).toArray()),
                        median(ok.stream().mapToDouble(One::ttftMs).toArray()),
                        median(ok.stream().mapToDouble(o -> o.completion() > 1 && o.latencyMs() > o.ttftMs()
                                ? (o.completion() - 1) / ((o.latencyMs() - o.ttftMs()) / 1000) : 0).toArray()),
                        prompt, completion, (prompt * t.priceInput() + completion * t.priceOutput()) / 1e6,
                        ok.isEmpty() ? null : ok.getLast().backend()));
            }
        }
        return results;
    }

    private static One one(HttpClient client, Target t, String prompt, int maxTokens)
            throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode().put("model", t.model()).put("stream", true)
                .put("max_tokens", maxTokens).put("temperature", 0);
        body.putObject("stream_options").put("include_usage", true);
        body.putArray("messages").addObject().put("role", "user").put("content", prompt);
        HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(t.url() + "/chat/completions"))
                .header("Content-Type", "application/json").timeout(Duration.ofMinutes(5))
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
        if (t.apiKey() != null) {
            rb.header("Authorization", "Bearer " + t.apiKey());
        }
        long start = System.nanoTime();
        HttpResponse<InputStream> res = client.send(rb.build(), HttpResponse.BodyHandlers.ofInputStream());
        if (res.statusCode() != 200) {
            res.body().close();
            throw new IOException(t.url() + " answered HTTP " + res.statusCode());
        }
        long first = -1;
        long prompts = 0;
        long completion = 0;
        int chunks = 0;
        boolean done = false;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (!line.startsWith("data:")) {
                    continue;
                }
                String data = line.substring(5).trim();
                if (data.equals("[DONE]")) {
                    done = true;
                    break;
                }
                JsonNode j = JSON.readTree(data);
                if (j.has("error")) {
                    throw new IOException("stream error: " + j.get("error"));
                }
                for (JsonNode c : j.path("choices")) {
                    if (!c.path("delta").path("content").asText("").isEmpty()) {
                        chunks++;
                        if (first < 0) {
                            first = System.nanoTime();
                        }
                    }
                }
                if (j.path("usage").isObject()) {
                    prompts = j.path("usage").path("prompt_tokens").asLong();
                    completion = j.path("usage").path("completion_tokens").asLong();
                }
            }
        }
        if (!done) {
            throw new IOException("the stream ended without [DONE]");
        }
        long end = System.nanoTime();
        return new One((end - start) / 1e6, ((first < 0 ? end : first) - start) / 1e6, prompts,
                completion > 0 ? completion : chunks, res.headers().firstValue("x-hearth-backend").orElse(null));
    }

    static double median(double[] v) {
        if (v.length == 0) {
            return Double.NaN;
        }
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    public static void print(List<Result> results, PrintStream out) {
        out.printf("%-40s %-22s %5s %4s %11s %10s %9s %10s %12s%n", "target", "served by", "reqs", "errs",
                "latency ms", "TTFT ms", "tokens/s", "tokens", "cost $");
        for (Result r : results) {
            out.printf("%-40s %-22s %5d %4d %11.1f %10.1f %9.1f %10d %12.6f%n", r.target().url() + "#"
                    + r.target().model(), r.backend() == null ? "-" : r.backend(), r.requests(), r.errors(),
                    r.latencyMs(), r.ttftMs(), r.tokensPerSecond(), r.promptTokens() + r.completionTokens(),
                    r.costDollars());
        }
    }
}
