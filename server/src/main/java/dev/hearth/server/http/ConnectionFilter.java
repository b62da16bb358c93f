package dev.hearth.server.http;

import dev.hearth.server.http.api.ApiException;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Method;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.util.List;

/**
 * Keeps one request's bytes from becoming another request. Runs first around every request: a request with both
 * {@code Content-Length} and {@code Transfer-Encoding}, or with conflicting lengths, is refused (400) and its
 * connection closed; after the answer, the connection is closed when the client asked ({@code Connection: close}),
 * when the answer said so, or when the handler left request body bytes unread (they are never drained and parsed as
 * the next request). Helidon 4.5 does neither by itself. While the server drains it refuses new requests (503) and
 * counts those in flight; it tells {@link IdleReclaim} when work starts and ends.
 */
final class ConnectionFilter implements Filter {
    private final ConnectionGuard guard;
    private final Drain drain;
    private final IdleReclaim reclaim;

    ConnectionFilter(ConnectionGuard guard, Drain drain, IdleReclaim reclaim) {
        this.guard = guard;
        this.drain = drain;
        this.reclaim = reclaim;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        boolean close;
        try {
            String framing = framingError(req);
            if (framing != null) {
                res.header(HeaderValues.CONNECTION_CLOSE);
                ErrorWriter.write(req, res, new ApiException(400, "invalid_request_error", null,
                        "invalid_framing", framing, 0));
                close = true;
            } else if (drain.draining() && !req.path().path().equals("/health")) {
                res.header(HeaderValues.CONNECTION_CLOSE);  // shutting down: no new work on any connection
                ErrorWriter.write(req, res, ApiException.shuttingDown());
                close = true;
            } else {
                boolean work = req.prologue().method() == Method.POST;  // reads (health, metrics) are not work
                drain.enter();
                if (work) {
                    reclaim.workStarted();
                }
                try {
                    chain.proceed();
                } finally {
                    if (work) {
                        reclaim.workEnded();
                    }
                    drain.exit();
                }
                close = drain.draining() || req.headers().contains(HeaderValues.CONNECTION_CLOSE)
                        || res.headers().contains(HeaderValues.CONNECTION_CLOSE)
                        || ErrorWriter.unreadBody(req);
            }
        } finally {
            guard.requestDone();
        }
        if (close) {
            throw new CloseConnectionException("the connection closes after this request");
        }
    }

    private static String framingError(RoutingRequest req) {
        boolean chunked = req.headers().contains(HeaderNames.TRANSFER_ENCODING);
        List<String> lengths = req.headers().all(HeaderNames.CONTENT_LENGTH, List::of);
        if (chunked && !lengths.isEmpty()) {
            return "a request may not have both Content-Length and Transfer-Encoding";
        }
        if (lengths.size() > 1 && lengths.stream().distinct().count() > 1) {
            return "the request has conflicting Content-Length headers";
        }
        return null;
    }
}
