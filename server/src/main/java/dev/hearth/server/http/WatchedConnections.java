package dev.hearth.server.http;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.buffers.DataWriter;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PeerInfo;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ListenerContext;
import io.helidon.webserver.ProxyProtocolData;
import io.helidon.webserver.Router;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionSelector;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;

/**
 * Helidon's HTTP/1 connections, each reading its socket through a reader that tells the {@link ConnectionGuard} when
 * bytes arrive. Helidon's own listeners hear of a request only once its request line is complete, so without this
 * a request line trickled a byte at a time ran on the idle timeout instead of the header timeout. Being the
 * listener's only selector, it makes each connection on its own thread before the first byte is read: the guard
 * watches a connection that never sends anything from here too.
 */
final class WatchedConnections implements ServerConnectionSelector {
    private final ConnectionGuard guard;
    private final Http1ConnectionSelector http1;

    WatchedConnections(ConnectionGuard guard) {
        this.guard = guard;
        this.http1 = Http1ConnectionSelector.builder()
                .config(Http1Config.builder().addReceiveListener(guard).build())
                .build();
    }

    @Override
    public int bytesToIdentifyConnection() {
        return http1.bytesToIdentifyConnection();
    }

    @Override
    public Support supports(BufferData data) {
        return http1.supports(data);
    }

    @Override
    public Set<String> supportedApplicationProtocols() {
        return http1.supportedApplicationProtocols();
    }

    @Override
    public ServerConnection connection(ConnectionContext ctx) {
        ConnectionGuard.Watch watch = guard.opened();
        DataReader socket = ctx.dataReader();
        DataReader watched = DataReader.create(() -> {
            BufferData data = socket.readBuffer();  // blocks until bytes come; throws once the peer has closed
            guard.arrived(watch);
            return data.readBytes();
        });
        return http1.connection(new Watched(ctx, watched));
    }

    /** The connection's context with the watched reader in place of Helidon's. */
    private record Watched(ConnectionContext ctx, DataReader dataReader) implements ConnectionContext {
        @Override
        public ListenerContext listenerContext() {
            return ctx.listenerContext();
        }

        @Override
        public ExecutorService executor() {
            return ctx.executor();
        }

        @Override
        public DataWriter dataWriter() {
            return ctx.dataWriter();
        }

        @Override
        public Router router() {
            return ctx.router();
        }

        @Override
        public Optional<ProxyProtocolData> proxyProtocolData() {
            return ctx.proxyProtocolData();
        }

        @Override
        public HelidonSocket serverSocket() {
            return ctx.serverSocket();
        }

        @Override
        public PeerInfo remotePeer() {
            return ctx.remotePeer();
        }

        @Override
        public PeerInfo localPeer() {
            return ctx.localPeer();
        }

        @Override
        public boolean isSecure() {
            return ctx.isSecure();
        }

        @Override
        public String socketId() {
            return ctx.socketId();
        }

        @Override
        public String childSocketId() {
            return ctx.childSocketId();
        }
    }
}
