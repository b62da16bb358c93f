package dev.hearth.server.web;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Files served from the jar: the pages' own assets under {@code web/}, and browser libraries from WebJars
 * ({@code /webjars/LIBRARY/FILE} maps to {@code META-INF/resources/webjars/LIBRARY/VERSION/FILE}, the version read
 * from the WebJar's own {@code pom.properties}, so it is declared once, in the pom). Read once, then kept (only
 * files that exist: the jar bounds what is kept).
 */
final class StaticAssets {
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon",
            "json", "application/json");
    private static final String[] WEBJAR_GROUPS = {"org.webjars.npm", "org.webjars"};
    /**
     * The pages run only their own scripts: no inline script, no event-handler attributes, nothing from elsewhere.
     * A second line of defence behind the sanitizer for model output.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self' "
            + "'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
            + "form-action 'none'; frame-ancestors 'none'";

    private record Asset(byte[] bytes, String type) {}

    private final ClassLoader loader = StaticAssets.class.getClassLoader();
    private final Map<String, Optional<Asset>> cache = new ConcurrentHashMap<>();

    /** Sends {@code web/NAME}; false when there is no such file. */
    boolean sendPage(String name, ServerResponse res) {
        return send("web/" + name, res, false);
    }

    /** Sends {@code FILE} of the WebJar {@code library}; false when there is none. */
    boolean sendWebJar(String library, String file, ServerResponse res) {
        String version = webJarVersion(library);
        return version != null && send("META-INF/resources/webjars/" + library + "/" + version + "/" + file, res,
                true);
    }

    /** Names a path may take: letters, digits and {@code . _ -} in segments; no {@code ..}, no empty segment. */
    static boolean safe(String path) {
        return !path.isEmpty() && path.matches("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*") && !path.contains("..");
    }

    private String webJarVersion(String library) {
        for (String group : WEBJAR_GROUPS) {
            try (InputStream in = loader.getResourceAsStream("META-INF/maven/" + group + "/" + library
                    + "/pom.properties")) {
                if (in != null) {
                    Properties p = new Properties();
                    p.load(in);
                    return p.getProperty("version");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return null;
    }

    private boolean send(String resource, ServerResponse res, boolean immutable) {
        Optional<Asset> asset = cache.get(resource);
        if (asset == null) {
            asset = read(resource);
            if (asset.isEmpty()) {
                return false;  // misses are not kept: any client could grow the map by naming files without end
            }
            cache.put(resource, asset);  // bounded by the jar's files
        }
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, asset.get().type());
        res.header(HeaderNames.X_CONTENT_TYPE_OPTIONS, "nosniff");
        // library files change only with their version (a new jar); the pages' own files are revalidated
        res.header(HeaderNames.CACHE_CONTROL, immutable ? "public, max-age=86400" : "no-cache");
        if (asset.get().type().startsWith("text/html")) {
            res.header(HeaderNames.create("Content-Security-Policy"), CONTENT_SECURITY_POLICY);
            res.header(HeaderNames.create("Referrer-Policy"), "no-referrer");
        }
        res.send(asset.get().bytes());
        return true;
    }

    /** Files kept in memory (tests). */
    int cached() {
        return cache.size();
    }

    private Optional<Asset> read(String resource) {
        int dot = resource.lastIndexOf('.');
        String type = dot < 0 ? null : TYPES.get(resource.substring(dot + 1));
        if (type == null) {
            return Optional.empty();
        }
        try (InputStream in = loader.getResourceAsStream(resource)) {
            return in == null ? Optional.empty() : Optional.of(new Asset(in.readAllBytes(), type));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
