package dev.hearth.server.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Hugging Face Hub's HTTP protocol: repository info ({@code GET /api/models/REPO/revision/REV}), the file tree
 * ({@code GET /api/models/REPO/tree/COMMIT?recursive=true}, paged through {@code Link: <...>; rel="next"}), and file
 * downloads ({@code GET /REPO/resolve/COMMIT/FILE}). Redirects are followed by hand so that the Hub's own headers
 * ({@code X-Linked-Etag}, {@code X-Linked-Size}) are seen and the token is not sent to another host (the CDN).
 * Hub errors ({@code X-Error-Code}: GatedRepo, RepoNotFound, RevisionNotFound, EntryNotFound) become messages
 * that say what to do.
 */
public final class HfClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NEXT_LINK = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");
    private static final int MAX_REDIRECTS = 10;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    /** An open download: the body from {@code offset} on, and what the Hub said about the file. */
    public record Download(InputStream body, int status, long offset, long contentLength, String linkedSha256,
                           long linkedSize) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            body.close();
        }
    }

    /** A failure worth trying again: connection trouble, 5xx, 429. */
    static final class RetryableException extends IOException {
        RetryableException(String message) {
            super(message);
        }
    }

    private final HubSettings settings;
    private HttpClient http;  // made at the first request: its TLS set-up cost a server's start 0.2 s

    public HfClient(HubSettings settings) {
        this.settings = settings;
    }

    private synchronized HttpClient http() {
        if (http == null) {
            http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(CONNECT_TIMEOUT)
                    .build();
        }
        return http;
    }

    public HubSettings settings() {
        return settings;
    }

    /** The longest wait between two tries at reaching the Hub for a file list. */
    static final long MAX_RESOLVE_BACKOFF_MILLIS = 3_000;

    public HfRepoInfo repoInfo(String repo, String revision) throws IOException {
        return repoInfo(repo, revision, PullListener.NONE);
    }

    /**
     * Resolves a revision to its commit and lists the repository's files at that commit; connection failures,
     * 5xx and 429 are retried with backoff, each retry reported to {@code listener} with its reason, all within
     * {@link HubSettings#resolveTimeout()}: with no network this fails in bounded time, naming the endpoint.
     */
    public HfRepoInfo repoInfo(String repo, String revision, PullListener listener) throws IOException {
        long start = System.nanoTime();
        long deadline = start + settings.resolveTimeout().toNanos();
        long backoff = settings.initialBackoff().toMillis();
        for (int attempt = 1; ; attempt++) {
            try {
                Duration left = Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
                return fetchRepoInfo(repo, revision, left.compareTo(REQUEST_TIMEOUT) < 0 ? left : REQUEST_TIMEOUT);
            } catch (RetryableException e) {
                long leftMillis = (deadline - System.nanoTime()) / 1_000_000;
                if (attempt >= settings.maxAttempts() || leftMillis <= backoff) {
                    throw new HubException(String.format("cannot reach the Hub at %s for %s: %s; gave up after %d"
                            + " attempt%s in %.1f s. Check the network, or set HF_ENDPOINT to a Hub mirror you can"
                            + " reach; a GGUF file you already have joins the store with 'hearth import FILE NAME'",
                            settings.describeEndpoint(), repo, e.getMessage(), attempt, attempt == 1 ? "" : "s",
                            (System.nanoTime() - start) / 1e9), e);
                }
                listener.onEvent(new PullEvent.Retrying(repo + " file list", attempt, settings.maxAttempts(), backoff,
                        e.getMessage()));
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while waiting to retry");
                }
                backoff = Math.min(backoff * 2, MAX_RESOLVE_BACKOFF_MILLIS);
            }
        }
    }

    private HfRepoInfo fetchRepoInfo(String repo, String revision, Duration timeout) throws IOException {
        String what = "repository " + repo + " at revision " + revision;
        URI uri = api("/api/models/" + repo + "/revision/" + encode(revision));
        JsonNode info = JSON.readTree(getJson(uri, repo, what, timeout));
        String commit = info.path("sha").asText(null);
        if (commit == null || commit.isBlank()) {
            throw new HubException("the Hub's answer for " + what + " has no commit 'sha' (" + uri + ")");
        }
        JsonNode gatedNode = info.path("gated");
        boolean gated = gatedNode.isTextual() || gatedNode.asBoolean(false);
        List<HfRepoFile> files = new ArrayList<>();
        URI next = api("/api/models/" + repo + "/tree/" + commit + "?recursive=true");
        while (next != null) {
            HttpResponse<byte[]> page = send(get(next, true).timeout(timeout).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            check(page.statusCode(), page.headers(), repo, "file list of " + what);
            for (JsonNode n : JSON.readTree(page.body())) {
                if (!"file".equals(n.path("type").asText())) {
                    continue;
                }
                JsonNode lfs = n.path("lfs");
                String sha = lfs.isObject() ? lfs.path("oid").asText(null) : null;
                long size = lfs.isObject() && lfs.has("size") ? lfs.path("size").asLong() : n.path("size").asLong();
                files.add(new HfRepoFile(n.path("path").asText(), size, sha));
            }
            next = page.headers().firstValue("Link").map(HfClient::nextLink).map(next::resolve).orElse(null);
        }
        return new HfRepoInfo(repo, commit, gated, files);
    }

    /** Starts downloading {@code path} at {@code commit} from byte {@code offset} (a Range request when > 0). */
    public Download open(String repo, String commit, String path, long offset) throws IOException {
        URI uri = api("/" + repo + "/resolve/" + commit + "/" + encodePath(path));
        String linkedSha = null;
        long linkedSize = -1;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            boolean sameHost = sameOrigin(uri);
            HttpRequest.Builder req = get(uri, sameHost);
            if (offset > 0) {
                req.header("Range", "bytes=" + offset + "-");
            }
            HttpResponse<InputStream> resp = send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
            var h = resp.headers();
            if (linkedSha == null) {
                linkedSha = h.firstValue("X-Linked-Etag").map(HfClient::unquoteEtag).orElse(null);
            }
            if (linkedSize < 0) {
                linkedSize = h.firstValueAsLong("X-Linked-Size").orElse(-1);
            }
            int status = resp.statusCode();
            if (status >= 300 && status < 400) {
                resp.body().close();
                String location = h.firstValue("Location").orElseThrow(() -> new HubException(
                        "redirect " + status + " without Location for " + path + " in " + repo));
                uri = uri.resolve(location);
                continue;
            }
            if (status != 200 && status != 206) {
                String body = drain(resp.body());
                if (status == 416) {
                    throw new HubException("the server refused byte range " + offset + "- of " + path + " in " + repo
                            + " (416)" + (body.isEmpty() ? "" : ": " + body));
                }
                check(status, h, repo, "file " + path + " of " + repo);
            }
            long start = 0;
            if (status == 206) {
                start = parseContentRangeStart(h.firstValue("Content-Range").orElse(null), path);
            }
            long length = h.firstValueAsLong("Content-Length").orElse(-1);
            return new Download(resp.body(), status, start, length, linkedSha, linkedSize);
        }
        throw new HubException("too many redirects downloading " + path + " from " + repo);
    }

    private byte[] getJson(URI uri, String repo, String what, Duration timeout) throws IOException {
        URI current = uri;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpResponse<byte[]> resp = send(get(current, sameOrigin(current)).timeout(timeout).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            int status = resp.statusCode();
            if (status >= 300 && status < 400 && resp.headers().firstValue("Location").isPresent()) {
                current = current.resolve(resp.headers().firstValue("Location").get());
                continue;
            }
            check(status, resp.headers(), repo, what);
            return resp.body();
        }
        throw new HubException("too many redirects for " + what);
    }

    /** Turns a non-2xx status into a user-facing error or a retryable one. */
    private void check(int status, java.net.http.HttpHeaders h, String repo, String what) throws IOException {
        if (status >= 200 && status < 300) {
            return;
        }
        String code = h.firstValue("X-Error-Code").orElse("");
        String hubMessage = h.firstValue("X-Error-Message").map(m -> " (Hub: " + m + ")").orElse("");
        String page = settings.endpoint() + "/" + repo;
        if (status == 429 || status >= 500) {
            throw new RetryableException("the Hub answered " + status + " for " + what + hubMessage);
        }
        if ("GatedRepo".equals(code) || (status == 403 && settings.token() != null)) {
            throw new HubException(repo + " is a gated repository: " + (settings.token() == null
                    ? "accept its terms at " + page + ", then set HF_TOKEN to an access token of that account"
                    : "the account of HF_TOKEN has no access yet; accept the terms at " + page) + hubMessage);
        }
        if (status == 401 && "RepoNotFound".equals(code)) {
            throw new HubException(what + ": repository not found" + (settings.token() == null
                    ? " (or private: set HF_TOKEN if you have access)" : " (or HF_TOKEN has no access to it)")
                    + hubMessage);
        }
        if (status == 401) {
            throw new HubException(what + " needs authentication (" + (settings.token() == null
                    ? "private or gated repository, or it does not exist; set HF_TOKEN if you have access"
                    : "HF_TOKEN was refused; check that the token is valid") + ")" + hubMessage);
        }
        if (status == 404) {
            String reason = switch (code) {
                case "RevisionNotFound" -> "revision not found";
                case "EntryNotFound" -> "file not found in the repository";
                default -> "repository not found";
            };
            throw new HubException(what + ": " + reason + " (404 from " + settings.endpoint() + ")" + hubMessage);
        }
        throw new HubException("the Hub answered " + status + " for " + what + hubMessage);
    }

    private HttpRequest.Builder get(URI uri, boolean withToken) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).GET().timeout(REQUEST_TIMEOUT)
                .header("User-Agent", "hearth/0.1");
        if (withToken && settings.token() != null) {
            b.header("Authorization", "Bearer " + settings.token());
        }
        return b;
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) throws IOException {
        try {
            return http().send(request, handler);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while requesting " + request.uri());
        } catch (java.net.ConnectException | java.net.http.HttpTimeoutException e) {
            throw new RetryableException("cannot reach " + request.uri().getHost() + ":" + port(request.uri()) + " ("
                    + reason(e) + ")");
        } catch (IOException e) {
            RetryableException r = new RetryableException("request to " + request.uri() + " failed: " + e);
            r.initCause(e);
            throw r;
        }
    }

    private static int port(URI uri) {
        return uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    /** Why a connection failed, in words: the innermost cause says it best (refused, unknown host, timed out). */
    static String reason(IOException e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return switch (root) {
            case java.nio.channels.UnresolvedAddressException u -> "unknown host: no DNS answer, offline?";
            case java.net.UnknownHostException u -> "unknown host: no DNS answer, offline?";
            case java.net.http.HttpConnectTimeoutException t -> "connect timed out";
            case java.net.http.HttpTimeoutException t -> "no answer in time";
            case java.net.ConnectException c when c.getMessage() != null -> c.getMessage().toLowerCase(Locale.ROOT);
            case java.net.ConnectException c -> "connection refused or unreachable";
            default -> root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
        };
    }

    private boolean sameOrigin(URI uri) {
        URI e = settings.endpoint();
        return e.getHost() != null && e.getHost().equalsIgnoreCase(uri.getHost()) && e.getPort() == uri.getPort()
                && e.getScheme().equalsIgnoreCase(uri.getScheme());
    }

    private URI api(String pathAndQuery) {
        return URI.create(settings.endpoint() + pathAndQuery);
    }

    static String nextLink(String header) {
        Matcher m = NEXT_LINK.matcher(header);
        return m.find() ? m.group(1) : null;
    }

    static String unquoteEtag(String etag) {
        String e = etag.strip();
        if (e.startsWith("W/")) {
            e = e.substring(2);
        }
        if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) {
            e = e.substring(1, e.length() - 1);
        }
        return e.toLowerCase(Locale.ROOT);
    }

    private static long parseContentRangeStart(String contentRange, String path) {
        // Content-Range: bytes START-END/TOTAL
        if (contentRange == null || !contentRange.startsWith("bytes ")) {
            throw new HubException("206 without a valid Content-Range for " + path + ": " + contentRange);
        }
        try {
            return Long.parseLong(contentRange.substring(6, contentRange.indexOf('-')).strip());
        } catch (RuntimeException e) {
            throw new HubException("cannot parse Content-Range '" + contentRange + "' for " + path);
        }
    }

    private static String drain(InputStream in) {
        try (in) {
            byte[] b = in.readNBytes(512);
            return new String(b, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "";
        }
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String encodePath(String path) {
        StringBuilder b = new StringBuilder();
        for (String seg : path.split("/")) {
            if (!b.isEmpty()) {
                b.append('/');
            }
            b.append(encode(seg));
        }
        return b.toString();
    }
}
