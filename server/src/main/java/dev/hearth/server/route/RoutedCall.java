package dev.hearth.server.route;

import dev.hearth.server.backend.Generation;
import dev.hearth.server.upstream.RelayedResponse;

/** Where the router sent a request: the local engine (a generation to write) or a remote answer to relay. */
public sealed interface RoutedCall {

    /** {@code backend/model} that serves, for the {@code x-hearth-backend} header. */
    String target();

    record Local(String target, Generation generation) implements RoutedCall {}

    record Relayed(RelayedResponse response) implements RoutedCall {
        @Override
        public String target() {
            return response.target();
        }
    }
}
