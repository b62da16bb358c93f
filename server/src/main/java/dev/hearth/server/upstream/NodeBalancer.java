package dev.hearth.server.upstream;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Picks a node among several serving the same models: with an affinity key (the hash of the system prompt), the
 * node that rendezvous hashing prefers for that key, so a conversation keeps hitting the node whose prefix cache
 * holds it, unless that node has more than {@code slack} outstanding requests above the least loaded one; without a
 * key, or past the slack, the node with the fewest outstanding requests (ties go round robin).
 */
public final class NodeBalancer {
    private final List<UpstreamNode> nodes;
    private final int slack;
    private final AtomicInteger turn = new AtomicInteger();

    NodeBalancer(List<UpstreamNode> nodes, int slack) {
        this.nodes = List.copyOf(nodes);
        this.slack = slack;
    }

    /** The node to try, skipping {@code excluded} ones (tried already, or unavailable); null when none is left. */
    UpstreamNode pick(long affinityKey, boolean hasKey, Predicate<UpstreamNode> excluded) {
        int least = Integer.MAX_VALUE;
        for (UpstreamNode n : nodes) {
            if (!excluded.test(n)) {
                least = Math.min(least, n.outstanding.get());
            }
        }
        if (least == Integer.MAX_VALUE) {
            return null;
        }
        if (hasKey) {
            UpstreamNode preferred = null;
            long best = Long.MIN_VALUE;
            for (int i = 0; i < nodes.size(); i++) {
                UpstreamNode n = nodes.get(i);
                long score = mix(affinityKey ^ mix(i + 1));
                if (!excluded.test(n) && (preferred == null || score > best)) {
                    preferred = n;
                    best = score;
                }
            }
            if (preferred.outstanding.get() <= least + slack) {
                return preferred;
            }
        }
        int start = Math.floorMod(turn.getAndIncrement(), nodes.size());
        for (int k = 0; k < nodes.size(); k++) {
            UpstreamNode n = nodes.get((start + k) % nodes.size());
            if (!excluded.test(n) && n.outstanding.get() == least) {
                return n;
            }
        }
        // the counts moved while we looked: take any that is left
        for (UpstreamNode n : nodes) {
            if (!excluded.test(n)) {
                return n;
            }
        }
        return null;
    }

    /** SplitMix64's finalizer: a well-spread 64-bit hash. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
