package dev.hearth.server.hub;

/** Test-only access to package-private fixtures from other packages' tests. */
public final class HubTestSupport {
    private HubTestSupport() {}

    public static byte[] tinyModel(long seed) throws java.io.IOException {
        return TinyGguf.model(seed);
    }

    public static java.util.List<byte[]> tinyShards(long seed, int count) throws java.io.IOException {
        return TinyGguf.shards(seed, count);
    }

    public static long tinyParameterCount() {
        return TinyGguf.parameterCount();
    }

    /** The sha256 of a file, as lowercase hex (computed here independently of the store's code). */
    public static String sha256(java.nio.file.Path file) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(java.nio.file.Files.readAllBytes(file)));
    }

    /** A fake Hub serving {@code repo} with the given files; close it after the test. */
    public static AutoCloseable fakeHub(String repo, boolean gated, java.util.Map<String, byte[]> files,
                                        java.util.function.Consumer<java.net.URI> endpoint) throws java.io.IOException {
        FakeHub hub = new FakeHub();
        hub.addRepo(repo, gated, files);
        endpoint.accept(hub.endpoint());
        return hub;
    }
}
