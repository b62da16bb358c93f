package dev.hearth.server.http.api;

import io.helidon.webserver.http.ServerRequest;
import java.io.IOException;

/**
 * Reads a request's body for {@link RequestContext}: at most {@code limit} bytes ({@link Json#readBounded}), within
 * the server's body timeout (the server supplies it; handlers never see the connection's defences).
 */
@FunctionalInterface
public interface BodyReader {
    byte[] read(ServerRequest req, long limit) throws IOException;
}
