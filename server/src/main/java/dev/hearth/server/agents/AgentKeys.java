package dev.hearth.server.agents;

import dev.hearth.engine.Priority;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Agents and their keys in the agents database: create (the key is returned once and stored only as a hash), list,
 * revoke, rotate, and {@link #authenticate} for the server. Lookups are cached for {@link #CACHE_MILLIS}, and the cache
 * is dropped whenever the database changed since (SQLite's {@code data_version}), so keys created, revoked or rotated
 * by {@code hearth keys} in another process take effect at once.
 * Thread-safe: the one connection is used under this object's lock.
 */
public final class AgentKeys {
    static final long CACHE_MILLIS = 2_000;

    /** One agent as {@code keys list} shows it. */
    public record Listed(AgentPolicy agent, int activeKeys, String keyPrefix) {}

    /** A new key, shown once. */
    public record Issued(String agent, String key) {}

    private record Cached(Optional<AgentPolicy> agent, long expiresAt) {}

    private final Connection db;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    private long dataVersion = -1;
    private volatile long anyKeysCheckedAt = Long.MIN_VALUE / 2;
    private volatile boolean anyKeys;

    public AgentKeys(Connection db) {
        this.db = db;
    }

    /** Creates an agent with its first key; the agent must be new. */
    public synchronized Issued create(AgentPolicy agent) {
        try (PreparedStatement st = db.prepareStatement("INSERT INTO agents (name, priority, rpm, tpm, daily_tokens, "
                + "max_parallel, route_class, created_at, weight) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            if (find(agent.name()).isPresent()) {
                throw new IllegalArgumentException("an agent named '" + agent.name() + "' already exists; use "
                        + "'hearth keys rotate --agent " + agent.name() + "' for a new key");
            }
            st.setString(1, agent.name());
            st.setString(2, agent.priority().apiName());
            st.setLong(3, agent.limits().rpm());
            st.setLong(4, agent.limits().tpm());
            st.setLong(5, agent.limits().dailyTokens());
            st.setInt(6, agent.limits().maxParallel());
            st.setString(7, agent.routeClass().apiName());
            st.setLong(8, agent.createdAtMillis());
            st.setInt(9, agent.weight());
            db.setAutoCommit(false);
            st.executeUpdate();
            String key = insertKey(agent.name());
            db.commit();
            return new Issued(agent.name(), key);
        } catch (SQLException e) {
            rollback();
            throw new AgentStoreException("cannot create agent '" + agent.name() + "': " + e.getMessage(), e);
        } finally {
            autoCommit();
        }
    }

    /** Revokes every key of the agent and issues a new one. */
    public synchronized Issued rotate(String agent) {
        requireAgent(agent);
        try {
            db.setAutoCommit(false);
            revokeKeys(agent);
            String key = insertKey(agent);
            db.commit();
            cache.clear();
            return new Issued(agent, key);
        } catch (SQLException e) {
            rollback();
            throw new AgentStoreException("cannot rotate the key of agent '" + agent + "': " + e.getMessage(), e);
        } finally {
            autoCommit();
        }
    }

    /** Sets the agent's fair-share weight; the server picks it up with the key cache, within {@link #CACHE_MILLIS}. */
    public synchronized AgentPolicy setWeight(String agent, int weight) {
        AgentPolicy.checkWeight(weight);
        requireAgent(agent);
        try (PreparedStatement st = db.prepareStatement("UPDATE agents SET weight = ? WHERE name = ?")) {
            st.setInt(1, weight);
            st.setString(2, agent);
            st.executeUpdate();
            cache.clear();
        } catch (SQLException e) {
            throw new AgentStoreException("cannot set the weight of agent '" + agent + "': " + e.getMessage(), e);
        }
        return find(agent).orElseThrow();
    }

    /** Revokes every key of the agent; returns how many were active. */
    public synchronized int revoke(String agent) {
        requireAgent(agent);
        try {
            int n = revokeKeys(agent);
            cache.clear();
            return n;
        } catch (SQLException e) {
            throw new AgentStoreException("cannot revoke the keys of agent '" + agent + "': " + e.getMessage(), e);
        }
    }

    public synchronized List<Listed> list() {
        List<Listed> out = new ArrayList<>();
        try (PreparedStatement st = db.prepareStatement("SELECT a.*, (SELECT count(*) FROM api_keys k WHERE "
                + "k.agent = a.name AND k.revoked_at IS NULL) AS active, (SELECT k.prefix FROM api_keys k WHERE "
                + "k.agent = a.name AND k.revoked_at IS NULL ORDER BY k.created_at DESC LIMIT 1) AS prefix "
                + "FROM agents a ORDER BY a.name"); ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                out.add(new Listed(policy(rs), rs.getInt("active"), rs.getString("prefix")));
            }
            return out;
        } catch (SQLException e) {
            throw new AgentStoreException("cannot list agents: " + e.getMessage(), e);
        }
    }

    /** The agent a presented key belongs to; empty for an unknown or revoked key. */
    public Optional<AgentPolicy> authenticate(String key) {
        forgetIfChanged();
        long now = System.currentTimeMillis();
        byte[] hash = KeyMaterial.hash(key);
        String id = HexFormat.of().formatHex(hash);  // the cache holds hashes, never keys
        Cached c = cache.get(id);
        if (c != null && c.expiresAt > now) {
            return c.agent;
        }
        Optional<AgentPolicy> found = lookup(hash);
        if (cache.size() > 10_000) {
            cache.clear();  // bounded: random bad keys cannot grow it without end
        }
        cache.put(id, new Cached(found, now + CACHE_MILLIS));
        return found;
    }

    /** Whether any agent has an active key (then every request needs a key); cached like lookups. */
    public boolean anyActiveKeys() {
        forgetIfChanged();
        long now = System.currentTimeMillis();
        if (now - anyKeysCheckedAt > CACHE_MILLIS) {
            synchronized (this) {
                try (PreparedStatement st = db.prepareStatement(
                        "SELECT EXISTS (SELECT 1 FROM api_keys WHERE revoked_at IS NULL)"); ResultSet rs = st.executeQuery()) {
                    anyKeys = rs.getBoolean(1);
                } catch (SQLException e) {
                    throw new AgentStoreException("cannot read api_keys: " + e.getMessage(), e);
                }
                anyKeysCheckedAt = now;
            }
        }
        return anyKeys;
    }

    /**
     * Drops the cache when another connection (a {@code hearth keys} process) has written the database since the last
     * look: SQLite's {@code data_version} changes then, so a revoked key stops working at once, not after the cache's
     * lifetime. The pragma reads no table.
     */
    private synchronized void forgetIfChanged() {
        try (PreparedStatement st = db.prepareStatement("PRAGMA data_version"); ResultSet rs = st.executeQuery()) {
            long version = rs.getLong(1);
            if (version != dataVersion) {
                dataVersion = version;
                cache.clear();
                anyKeysCheckedAt = 0;
            }
        } catch (SQLException e) {
            throw new AgentStoreException("cannot read the agents database: " + e.getMessage(), e);
        }
    }

    public synchronized Optional<AgentPolicy> find(String agent) {
        try (PreparedStatement st = db.prepareStatement("SELECT * FROM agents WHERE name = ?")) {
            st.setString(1, agent);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? Optional.of(policy(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new AgentStoreException("cannot read agent '" + agent + "': " + e.getMessage(), e);
        }
    }

    private synchronized Optional<AgentPolicy> lookup(byte[] hash) {
        try (PreparedStatement st = db.prepareStatement("SELECT k.hash AS key_hash, a.* FROM api_keys k JOIN agents a "
                + "ON a.name = k.agent WHERE k.hash = ? AND k.revoked_at IS NULL")) {
            st.setBytes(1, hash);
            try (ResultSet rs = st.executeQuery()) {
                // the index found the row; the constant-time compare is the one that decides
                if (rs.next() && KeyMaterial.sameHash(hash, rs.getBytes("key_hash"))) {
                    return Optional.of(policy(rs));
                }
                return Optional.empty();
            }
        } catch (SQLException e) {
            throw new AgentStoreException("cannot look up an API key: " + e.getMessage(), e);
        }
    }

    private void requireAgent(String agent) {
        if (find(agent).isEmpty()) {
            throw new IllegalArgumentException("no agent named '" + agent + "'; see 'hearth keys list'");
        }
    }

    private String insertKey(String agent) throws SQLException {
        String key = KeyMaterial.newKey();
        try (PreparedStatement st = db.prepareStatement(
                "INSERT INTO api_keys (hash, agent, prefix, created_at) VALUES (?, ?, ?, ?)")) {
            st.setBytes(1, KeyMaterial.hash(key));
            st.setString(2, agent);
            st.setString(3, KeyMaterial.displayPrefix(key));
            st.setLong(4, System.currentTimeMillis());
            st.executeUpdate();
        }
        return key;
    }

    private int revokeKeys(String agent) throws SQLException {
        try (PreparedStatement st = db.prepareStatement(
                "UPDATE api_keys SET revoked_at = ? WHERE agent = ? AND revoked_at IS NULL")) {
            st.setLong(1, System.currentTimeMillis());
            st.setString(2, agent);
            return st.executeUpdate();
        }
    }

    private static AgentPolicy policy(ResultSet rs) throws SQLException {
        return new AgentPolicy(rs.getString("name"), Priority.parse(rs.getString("priority")),
                new AgentLimits(rs.getLong("rpm"), rs.getLong("tpm"), rs.getLong("daily_tokens"),
                        rs.getInt("max_parallel")),
                RouteClass.parse(rs.getString("route_class")), rs.getLong("created_at"), rs.getInt("weight"));
    }

    private void rollback() {
        try {
            db.rollback();
        } catch (SQLException ignored) {
            // the original error is the one reported
        }
    }

    private void autoCommit() {
        try {
            db.setAutoCommit(true);
        } catch (SQLException ignored) {
            // the connection is broken; the next call reports it
        }
    }
}
