package dev.hearth.server.hub;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local stand-in for the Hugging Face Hub: revision info, paged file tree, resolve with a 302 to a "CDN" path
 * carrying ETag / X-Linked-Etag / X-Linked-Size / X-Repo-Commit, Range requests (206), 401 for gated repositories
 * without a token, 404 with X-Error-Code, dropped connections, corrupted bodies and 503s on demand.
 */
final class FakeHub implements AutoCloseable {
    record Repo(String commit, boolean gated, Map<String, byte[]> files) {}

    /** One request the fake saw. */
    record Seen(String method, String path, String range, String authorization) {}

    final Map<String, Repo> repos = new ConcurrentHashMap<>();
    /** sha -> how many more times to drop the connection after half the body. */
    final Map<String, AtomicInteger> dropHalfway = new ConcurrentHashMap<>();
    /** sha whose body is served with one byte flipped. */
    final Set<String> corrupt = ConcurrentHashMap.newKeySet();
    /** how many more API requests answer 503. */
    final AtomicInteger unavailable = new AtomicInteger();
    final List<Seen> seen = new CopyOnWriteArrayList<>();
    volatile String requiredToken = "hf_test_token";
    /** List GGUF files without their lfs block (as for files stored in git), leaving X-Linked-Etag. */
    volatile boolean listWithoutLfs;
    /** Pause after each 64 KiB of a CDN body, to make downloads slow enough to interrupt. */
    volatile long cdnPauseMillis;
    final int treePageSize = 2;

    private final HttpServer server;
    /** The "CDN" listens on another port, so it is another origin, as in the real Hub. */
    private final HttpServer cdnServer;
    private final Map<String, byte[]> cdn = new ConcurrentHashMap<>();

    FakeHub() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-hub");
            t.setDaemon(true);
            return t;
        }));
        server.start();
        cdnServer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        cdnServer.createContext("/", this::handle);
        cdnServer.setExecutor(java.util.concurrent.Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-cdn");
            t.setDaemon(true);
            return t;
        }));
        cdnServer.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    void addRepo(String repo, boolean gated, Map<String, byte[]> files) {
        Map<String, byte[]> copy = new LinkedHashMap<>(files);
        repos.put(repo, new Repo("c0ffee" + Integer.toHexString(repo.hashCode()) + "0000000000000000000000000000000000",
                gated, copy));
        copy.values().forEach(b -> cdn.put(PartialDownload.sha256Hex(b), b));
    }

    List<Seen> cdnRequests() {
        return seen.stream().filter(s -> s.path().startsWith("/cdn/")).toList();
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getRawPath();
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        seen.add(new Seen(ex.getRequestMethod(), path, ex.getRequestHeaders().getFirst("Range"), auth));
        try (ex) {
            if (path.startsWith("/cdn/")) {
                serveCdn(ex, path.substring(5));
                return;
            }
            if (path.startsWith("/api/") && unavailable.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                send(ex, 503, "text/plain", "busy".getBytes(StandardCharsets.UTF_8));
                return;
            }
            String[] parts = path.split("/");
            // /api/models/OWNER/NAME/(revision|tree)/REV   or   /OWNER/NAME/resolve/REV/FILE...
            boolean api = path.startsWith("/api/models/");
            int o = api ? 3 : 1;
            if (parts.length < o + 4) {
                error(ex, 404, "RepoNotFound", "Repository not found");
                return;
            }
            String repoName = parts[o] + "/" + parts[o + 1];
            Repo repo = repos.get(repoName);
            if (repo == null) {
                error(ex, auth == null ? 401 : 404, "RepoNotFound", "Repository not found");
                return;
            }
            if (repo.gated() && !("Bearer " + requiredToken).equals(auth)) {
                error(ex, auth == null ? 401 : 403, "GatedRepo", "Access to model " + repoName + " is restricted.");
                return;
            }
            String kind = parts[o + 2];
            String rev = java.net.URLDecoder.decode(parts[o + 3], StandardCharsets.UTF_8);
            if (!rev.equals("main") && !rev.equals(repo.commit())) {
                error(ex, 404, "RevisionNotFound", "Invalid rev id: " + rev);
                return;
            }
            if (api && kind.equals("revision")) {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("id", repoName);
                body.put("sha", repo.commit());
                body.put("gated", repo.gated() ? "manual" : false);
                body.put("siblings", repo.files().keySet().stream().map(f -> Map.of("rfilename", f)).toList());
                send(ex, 200, "application/json", new ObjectMapper().writeValueAsBytes(body));
            } else if (api && kind.equals("tree")) {
                serveTree(ex, repoName, repo);
            } else if (!api && kind.equals("resolve")) {
                String file = String.join("/", java.util.Arrays.copyOfRange(parts, o + 4, parts.length));
                file = java.net.URLDecoder.decode(file, StandardCharsets.UTF_8);
                byte[] data = repo.files().get(file);
                if (data == null) {
                    error(ex, 404, "EntryNotFound", file + " does not exist on \"" + rev + "\"");
                    return;
                }
                String sha = PartialDownload.sha256Hex(data);
                var h = ex.getResponseHeaders();
                h.set("X-Linked-Etag", "\"" + sha + "\"");
                h.set("X-Linked-Size", Long.toString(data.length));
                h.set("X-Repo-Commit", repo.commit());
                h.set("ETag", "\"" + sha + "\"");
                h.set("Location", "http://127.0.0.1:" + cdnServer.getAddress().getPort() + "/cdn/" + sha);
                ex.sendResponseHeaders(302, -1);
            } else {
                error(ex, 404, "EntryNotFound", "no route");
            }
        }
    }

    private void serveTree(HttpExchange ex, String repoName, Repo repo) throws IOException {
        List<Map<String, Object>> all = new ArrayList<>();
        for (var e : repo.files().entrySet()) {
            Map<String, Object> n = new LinkedHashMap<>();
            n.put("type", "file");
            n.put("oid", "0123456789abcdef0123456789abcdef01234567");
            n.put("path", e.getKey());
            if (e.getKey().endsWith(".gguf") && !listWithoutLfs) {
                n.put("size", e.getValue().length);
                n.put("lfs", Map.of("oid", PartialDownload.sha256Hex(e.getValue()), "size", e.getValue().length,
                        "pointerSize", 134));
            } else {
                n.put("size", e.getValue().length);
            }
            all.add(n);
        }
        all.add(0, Map.of("type", "directory", "oid", "abc", "path", "subdir", "size", 0));
        String query = ex.getRequestURI().getQuery();
        int cursor = 0;
        if (query != null && query.contains("cursor=")) {
            cursor = Integer.parseInt(query.replaceAll(".*cursor=(\\d+).*", "$1"));
        }
        int end = Math.min(all.size(), cursor + treePageSize);
        if (end < all.size()) {
            ex.getResponseHeaders().set("Link", "<" + endpoint() + "/api/models/" + repoName + "/tree/"
                    + repo.commit() + "?recursive=true&cursor=" + end + ">; rel=\"next\"");
        }
        send(ex, 200, "application/json", new ObjectMapper().writeValueAsBytes(all.subList(cursor, end)));
    }

    private void serveCdn(HttpExchange ex, String sha) throws IOException {
        byte[] data = cdn.get(sha);
        if (data == null) {
            send(ex, 404, "text/plain", "no such object".getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (corrupt.contains(sha)) {
            data = data.clone();
            data[data.length / 2] ^= 0x5a;
        }
        long start = 0;
        String range = ex.getRequestHeaders().getFirst("Range");
        int status = 200;
        if (range != null && range.startsWith("bytes=")) {
            start = Long.parseLong(range.substring(6, range.indexOf('-')));
            if (start >= data.length) {
                ex.getResponseHeaders().set("Content-Range", "bytes */" + data.length);
                ex.sendResponseHeaders(416, -1);
                return;
            }
            status = 206;
            ex.getResponseHeaders().set("Content-Range", "bytes " + start + "-" + (data.length - 1) + "/" + data.length);
        }
        int len = data.length - (int) start;
        ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
        ex.sendResponseHeaders(status, len);
        AtomicInteger drops = dropHalfway.get(sha);
        OutputStream out = ex.getResponseBody();
        if (drops != null && drops.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            out.write(data, (int) start, len / 2);
            out.flush();
            // Abandon the exchange mid-body: the JDK server closes the connection when the body is short.
            throw new IOException("fake hub dropped the connection");
        }
        for (int off = 0; off < len; off += 65536) {
            out.write(data, (int) start + off, Math.min(65536, len - off));
            if (cdnPauseMillis > 0) {
                out.flush();
                try {
                    Thread.sleep(cdnPauseMillis);
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
            }
        }
    }

    private static void error(HttpExchange ex, int status, String code, String message) throws IOException {
        ex.getResponseHeaders().set("X-Error-Code", code);
        ex.getResponseHeaders().set("X-Error-Message", message);
        send(ex, status, "application/json",
                ("{\"error\":\"" + message.replace("\"", "'") + "\"}").getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
    }

    List<String> rangesFor(String sha) {
        return Collections.unmodifiableList(cdnRequests().stream().filter(s -> s.path().endsWith(sha))
                .map(Seen::range).toList());
    }

    @Override
    public void close() {
        server.stop(0);
        cdnServer.stop(0);
    }
}
