package dev.hearth.server.agents;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the ledger back: per-agent totals since a time ({@code hearth usage}, {@code GET /v1/usage}), and the rows
 * the quota counters are rebuilt from after a restart.
 */
public final class UsageSummary {
    /** One agent's totals. */
    public record AgentUsage(String agent, long requests, long errors, long promptTokens, long generatedTokens,
            Double avgTtftMillis, Double avgTotalMillis) {}

    private UsageSummary() {}

    /** Totals per agent over requests started at or after {@code sinceMillis}; {@code agent} null for all. */
    public static List<AgentUsage> since(Connection db, long sinceMillis, String agent) {
        String sql = "SELECT agent, count(*), sum(CASE WHEN status >= 400 OR finish_reason = 'error' THEN 1 ELSE 0 END),"
                + " sum(prompt_tokens), sum(generated_tokens), avg(ttft_ms), avg(total_ms) FROM ledger"
                + " WHERE started_at >= ?" + (agent == null ? "" : " AND agent = ?") + " GROUP BY agent ORDER BY agent";
        List<AgentUsage> out = new ArrayList<>();
        try (PreparedStatement st = db.prepareStatement(sql)) {
            st.setLong(1, sinceMillis);
            if (agent != null) {
                st.setString(2, agent);
            }
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(new AgentUsage(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4),
                            rs.getLong(5), nullable(rs, 6), nullable(rs, 7)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new AgentStoreException("cannot read the usage ledger: " + e.getMessage(), e);
        }
    }

    /**
     * Replays the ledger's recent requests into {@code quotas} (those of the last minute and of this UTC day; refused
     * requests did not count against a limit and are skipped). Returns how many rows were replayed.
     */
    public static int restore(Connection db, Quotas quotas, long nowMillis) {
        long from = Math.min(nowMillis - 60_000, nowMillis - nowMillis % 86_400_000);
        try (PreparedStatement st = db.prepareStatement("SELECT agent, started_at, total_ms, prompt_tokens + "
                + "generated_tokens FROM ledger WHERE started_at >= ? AND status NOT IN (401, 403, 429) ORDER BY id")) {
            st.setLong(1, from);
            int n = 0;
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    long started = rs.getLong(2);
                    quotas.restore(rs.getString(1), started, started + (long) rs.getDouble(3), rs.getLong(4), nowMillis);
                    n++;
                }
            }
            return n;
        } catch (SQLException e) {
            throw new AgentStoreException("cannot read the usage ledger: " + e.getMessage(), e);
        }
    }

    private static Double nullable(ResultSet rs, int column) throws SQLException {
        double v = rs.getDouble(column);
        return rs.wasNull() ? null : v;
    }

    /** {@code 90s}, {@code 30m}, {@code 1h}, {@code 7d}. */
    public static Duration parseSince(String text) {
        if (text != null && text.matches("\\d+[smhd]")) {
            long n = Long.parseLong(text.substring(0, text.length() - 1));
            return switch (text.charAt(text.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        throw new IllegalArgumentException("--since must be a number and s, m, h or d (e.g. 1h), got '" + text + "'");
    }
}
