package dev.hearth.server.upstream;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.server.metrics.RouteMetrics;
import dev.hearth.server.upstream.UpstreamException.Kind;
import dev.hearth.server.config.BackendConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A remote OpenAI-compatible backend: one or several nodes (load balanced by {@link NodeBalancer}), each with its
 * breaker and health checks; retries with backoff and jitter on failures safe to retry, honouring Retry-After.
 * {@link #open} returns a response ready to relay, or throws {@link UpstreamException} having sent nothing to the
 * client.
 */
public final class RemoteBackend implements AutoCloseable {
    private final BackendConfig.Remote config;
    private final List<UpstreamNode> nodes = new ArrayList<>();
    private final NodeBalancer balancer;
    private final RouteMetrics metrics;
    private final Thread health;
    private final LiveRelays relays = new LiveRelays();

    public RemoteBackend(BackendConfig.Remote config, String apiKey, RouteMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
        for (int i = 0; i < config.nodes().size(); i++) {
            String label = config.nodes().size() == 1 ? config.name() : config.name() + "." + i;
            nodes.add(new UpstreamNode(label, config.nodes().get(i), apiKey, config));
        }
        this.balancer = new NodeBalancer(nodes, config.affinitySlack());
        this.health = config.health().path() == null ? null
                : Thread.ofVirtual().name("hearth-health-" + config.name()).start(this::checkHealth);
    }

    public String name() {
        return config.name();
    }

    public BackendConfig.Remote config() {
        return config;
    }

    /**
     * Ends the streams being relayed now, and any that starts later, with {@code reason} as their error (the
     * server's shutdown grace has run out).
     */
    public void stopRelays(String reason) {
        relays.stopAll(reason);
    }

    /** Whether any node could take a request now (healthy and its breaker not open). */
    public boolean available() {
        return nodes.stream().anyMatch(UpstreamNode::available);
    }

    public CircuitBreaker.State breakerState(int node) {
        return nodes.get(node).breaker.state();
    }

    /**
     * Sends {@code body} (the client's request; its {@code raw} bytes when it has them) to {@code path}
     * ({@code /chat/completions}, {@code /completions}) for {@code model}, with retries across attempts and nodes.
     */
    public RelayedResponse open(long requestId, String path, String model, ObjectNode body, byte[] raw, boolean stream,
            long affinityKey, boolean hasKey) throws InterruptedException {
        boolean clientWantsUsage = body.path("stream_options").path("include_usage").asBoolean(false);
        byte[] bytes = ForwardedBody.of(raw, body, model, stream && !clientWantsUsage);
        Set<UpstreamNode> excluded = new HashSet<>();
        UpstreamException last = null;
        int attempt = 0;
        while (attempt < config.retry().attempts()) {
            UpstreamNode node = balancer.pick(affinityKey, hasKey, n -> excluded.contains(n) || !n.available());
            if (node == null || !node.breaker.tryAcquire()) {
                if (node != null) {
                    excluded.add(node);
                    continue;
                }
                break;
            }
            attempt++;
            String target = node.label + "/" + model;
            metrics.request(target);
            metrics.event(requestId, target, "attempt " + attempt);
            node.outstanding.incrementAndGet();
            try {
                UpstreamNode.Opened opened = node.open(path, bytes, stream);
                node.breaker.onSuccess();
                metrics.event(requestId, target, "first chunk after "
                        + String.format("%.1f ms", (System.nanoTime() - opened.startNanos()) / 1e6));
                return new RelayedResponse(requestId, target, opened, !clientWantsUsage && stream, config.prices(),
                        metrics, relays);
            } catch (UpstreamException e) {
                node.outstanding.decrementAndGet();
                if (e.countsAsFailure()) {
                    node.breaker.onFailure();
                } else {
                    node.breaker.release();
                }
                metrics.error(target, e.kind().name().toLowerCase());
                metrics.event(requestId, target, "failed: " + e.getMessage() + " (breaker "
                        + node.breaker.state() + ")");
                if (e.kind() == Kind.CLIENT_ERROR) {
                    throw e;
                }
                last = e;
                if (!e.retryable()) {
                    excluded.add(node); // a 500 or a hang: do not wait on this node again for this request
                    continue;
                }
                if (attempt < config.retry().attempts()) {
                    long delay = Backoff.delayMillis(config.retry(), attempt, e.retryAfterMillis());
                    if (delay < 0) {
                        metrics.event(requestId, target, "Retry-After " + e.retryAfterMillis()
                                + " ms is over the policy's limit: not retrying");
                        break;
                    }
                    metrics.event(requestId, target, "retrying in " + delay + " ms");
                    Thread.sleep(delay);
                }
            } catch (RuntimeException | Error e) {
                node.outstanding.decrementAndGet();
                node.breaker.release();
                throw e;
            }
        }
        if (last != null) {
            throw last;
        }
        throw UpstreamException.of(Kind.UNAVAILABLE, config.name() + " is unavailable (circuit breaker open or"
                + " health checks failing on every node)");
    }

    private void checkHealth() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                for (UpstreamNode n : nodes) {
                    boolean was = n.healthy;
                    if (n.probe(config.health().path()) != was) {
                        metrics.event(0, n.label, n.healthy ? "health check passes again" : "health check fails");
                    }
                }
                Thread.sleep(config.health().interval());
            }
        } catch (InterruptedException e) {
            // closing
        }
    }

    @Override
    public void close() {
        if (health != null) {
            health.interrupt();
        }
        nodes.forEach(UpstreamNode::close);
    }
}
