package dev.hearth.server.http;

import dev.hearth.server.http.api.ApiException;
import dev.hearth.server.http.api.ErrorMapper;
import dev.hearth.server.http.api.Json;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The one place errors are written: OpenAI's shape, or Ollama's under {@code /api/}. Used by the routing's error
 * handler and by the filters that refuse a request before it reaches a handler; a file of its own so that the
 * filters need not name {@link HearthServer}, which assembles them.
 */
final class ErrorWriter {
    /** The request-context key under which {@link #write} leaves the message it wrote (the stats' recent errors). */
    static final String ERROR_MESSAGE = "hearth.error.message";

    private ErrorWriter() {
    }

    static void write(ServerRequest req, ServerResponse res, Throwable t) {
        ApiException e = ErrorMapper.map(t);
        if (res.isSent()) {
            return;
        }
        req.context().register(ERROR_MESSAGE, e.getMessage());
        if (e.retryAfterSeconds() > 0) {
            res.header(HeaderNames.RETRY_AFTER, Integer.toString(e.retryAfterSeconds()));
        }
        if (unreadBody(req)) {
            res.header(HeaderValues.CONNECTION_CLOSE);  // the unread bytes are not parsed as a request: we close
        }
        boolean ollama = req.path().path().startsWith("/api/");
        Json.send(res, e.status(), ollama ? ErrorMapper.ollamaBody(e) : ErrorMapper.openAiBody(e));
    }

    /** Whether the request has body bytes the handler has not read (the connection must then close). */
    static boolean unreadBody(ServerRequest req) {
        boolean hasBody = req.headers().contains(HeaderNames.TRANSFER_ENCODING)
                || req.headers().contentLength().orElse(0L) > 0;
        return hasBody && !req.content().consumed();
    }
}
