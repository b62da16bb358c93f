package dev.hearth.server.agents;

import dev.hearth.engine.Priority;
import dev.hearth.server.backend.PullPermission;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * What the HTTP layer asks of the agents subsystem, in request order: {@link #identify} the caller from its Bearer
 * token, {@link #begin} (quotas, before anything is queued), then {@link #end} (ledger, metrics, quota release).
 *
 * <p>Who may call: with no admin key and no active agent key the server is open (callers are {@code anonymous}).
 * Otherwise a request needs the admin key or an active agent key; an unknown or revoked key is refused. The
 * anonymous and admin callers may name an agent and a priority in {@code X-Hearth-Agent} and
 * {@code X-Hearth-Priority} (load generators, trusted gateways); an agent key's own name and priority always win.
 */
public final class AgentGate implements AutoCloseable {
    public static final String ANONYMOUS = "anonymous";
    public static final String ADMIN = "admin";

    private final Connection db;
    private final AgentKeys keys;
    private final Quotas quotas = new Quotas();
    private final Ledger ledger;
    private final AgentMetrics metrics = new AgentMetrics();
    private final byte[] adminKey;

    private AgentGate(Connection db, Connection ledgerDb, String adminKey) {
        this.db = db;
        this.keys = new AgentKeys(db);
        this.ledger = new Ledger(ledgerDb);
        this.adminKey = adminKey == null ? null : adminKey.getBytes(StandardCharsets.UTF_8);
    }

    /** Opens the agents database (creating or migrating it) and rebuilds the quota counters from its ledger. */
    public static AgentGate open(Path file, String adminKey) {
        Connection db = AgentDatabase.open(file);
        AgentGate gate = new AgentGate(db, AgentDatabase.open(file), adminKey);
        UsageSummary.restore(db, gate.quotas, System.currentTimeMillis());
        return gate;
    }

    /** The caller of a request, or empty when it must be refused with 401. */
    public Optional<Caller> identify(String authorization, String agentHeader, String priorityHeader) {
        String token = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).trim() : null;
        if (token != null && adminKey != null
                && MessageDigest.isEqual(adminKey, token.getBytes(StandardCharsets.UTF_8))) {
            return Optional.of(headerCaller(ADMIN, true, agentHeader, priorityHeader));
        }
        if (token != null && token.startsWith(KeyMaterial.PREFIX)) {
            Optional<AgentPolicy> agent = keys.authenticate(token);
            if (agent.isPresent()) {
                return Optional.of(new Caller(agent.get().name(), agent.get(), false, agent.get().priority()));
            }
            if (adminKey != null || keys.anyActiveKeys()) {
                return Optional.empty();
            }
        }
        if (adminKey != null || keys.anyActiveKeys()) {
            return Optional.empty();
        }
        // an open server: clients that always send some token (OpenAI SDKs) are anonymous
        return Optional.of(headerCaller(ANONYMOUS, false, agentHeader, priorityHeader));
    }

    private static Caller headerCaller(String fallback, boolean admin, String agentHeader, String priorityHeader) {
        String agent = agentHeader == null || agentHeader.isBlank() ? fallback : AgentPolicy.checkName(agentHeader.trim());
        Priority priority = priorityHeader == null || priorityHeader.isBlank() ? Priority.NORMAL
                : Priority.parse(priorityHeader);
        return new Caller(agent, null, admin, priority);
    }

    /** Starts a request under the caller's quotas; throws {@link QuotaExceededException} (recorded) when over. */
    public AgentCall begin(Caller caller, String endpoint, PullPermission pull) {
        metrics.priority(caller.agent(), caller.priority());
        Quotas.Permit permit = null;
        if (caller.policy() != null) {
            try {
                permit = quotas.acquire(caller.policy(), System.currentTimeMillis());
            } catch (QuotaExceededException e) {
                AgentCall refused = new AgentCall(caller, endpoint, null, pull);
                ledger.record(refused.entry(429, e.getMessage()));
                metrics.request(caller.agent(), "rate_limited", 0, 0, -1);
                throw e;
            }
        }
        return new AgentCall(caller, endpoint, permit, pull);
    }

    /** Ends a request: releases its quota slot, counts its tokens, writes its ledger row. Never throws. */
    public void end(AgentCall call, int status, String error) {
        long now = System.currentTimeMillis();
        if (call.permit != null) {
            call.permit.finish(call.tokens(), now);
        }
        LedgerEntry entry = call.entry(status, error);
        ledger.record(entry);
        String outcome = status == 429 ? "rate_limited" : status >= 400 ? "error" : "ok";
        metrics.request(call.agent(), outcome, entry.promptTokens(), entry.generatedTokens(), call.ttftSeconds());
    }

    public List<UsageSummary.AgentUsage> usage(long sinceMillis, String agent) {
        synchronized (keys) {
            return UsageSummary.since(db, sinceMillis, agent);
        }
    }

    public AgentKeys keys() {
        return keys;
    }

    public Quotas quotas() {
        return quotas;
    }

    public Ledger ledger() {
        return ledger;
    }

    public AgentMetrics metrics() {
        return metrics;
    }

    @Override
    public void close() {
        ledger.close();
        try {
            db.close();
        } catch (SQLException ignored) {
            // closing; nothing left to protect
        }
    }
}
