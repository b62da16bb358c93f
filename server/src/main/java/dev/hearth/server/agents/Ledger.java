package dev.hearth.server.agents;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The usage ledger's writer: {@link #record} only enqueues (never blocks serving); one writer thread drains the
 * queue and writes each batch in one transaction on its own connection. The database runs in WAL mode with full
 * sync, so a committed batch survives a crash and a crash mid-batch leaves the database as of the last commit.
 * Rows still queued when the process dies are lost; {@link #close} writes them all.
 */
public final class Ledger implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Ledger.class.getName());
    static final int MAX_BATCH = 512;
    private final Connection db;
    private final LinkedBlockingQueue<LedgerEntry> queue = new LinkedBlockingQueue<>();
    private final AtomicLong recorded = new AtomicLong();
    private final AtomicLong committed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final Thread writer;
    private volatile boolean closing;

    /** Takes ownership of {@code db} (a connection of its own, from {@link AgentDatabase#open}). */
    public Ledger(Connection db) {
        this.db = db;
        this.writer = Thread.ofPlatform().name("hearth-ledger").daemon().start(this::run);
    }

    public void record(LedgerEntry entry) {
        recorded.incrementAndGet();
        queue.add(entry);
    }

    /** Rows committed so far by this writer. */
    public long committed() {
        return committed.get();
    }

    /** Rows that could not be written (logged); they are not retried. */
    public long failed() {
        return failed.get();
    }

    /** Waits until everything recorded before this call is committed (tests, and {@code hearth usage} callers). */
    public void flush() throws InterruptedException {
        long target = recorded.get();
        while (committed.get() + failed.get() < target && writer.isAlive()) {
            Thread.sleep(2);
        }
    }

    private void run() {
        List<LedgerEntry> batch = new ArrayList<>(MAX_BATCH);
        try (PreparedStatement insert = db.prepareStatement("INSERT INTO ledger (agent, model, backend, endpoint, "
                + "started_at, prompt_tokens, generated_tokens, ttft_ms, total_ms, finish_reason, status, error) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            while (!closing || !queue.isEmpty()) {
                LedgerEntry first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                write(insert, batch);
                batch.clear();
            }
        } catch (SQLException e) {
            LOG.log(System.Logger.Level.ERROR, "the usage ledger stopped: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void write(PreparedStatement insert, List<LedgerEntry> batch) {
        try {
            db.setAutoCommit(false);
            for (LedgerEntry e : batch) {
                insert.setString(1, e.agent());
                insert.setString(2, e.model());
                insert.setString(3, e.backend());
                insert.setString(4, e.endpoint());
                insert.setLong(5, e.startedAtMillis());
                insert.setLong(6, e.promptTokens());
                insert.setLong(7, e.generatedTokens());
                if (e.ttftMillis() < 0) {
                    insert.setNull(8, Types.REAL);
                } else {
                    insert.setDouble(8, e.ttftMillis());
                }
                insert.setDouble(9, e.totalMillis());
                insert.setString(10, e.finishReason());
                insert.setInt(11, e.status());
                insert.setString(12, e.error());
                insert.addBatch();
            }
            insert.executeBatch();
            db.commit();
            committed.addAndGet(batch.size());
        } catch (SQLException ex) {
            try {
                db.rollback();
            } catch (SQLException ignored) {
                // reported below
            }
            failed.addAndGet(batch.size());
            LOG.log(System.Logger.Level.ERROR, "could not write " + batch.size() + " ledger rows: " + ex.getMessage());
        } finally {
            try {
                db.setAutoCommit(true);
            } catch (SQLException ignored) {
                // the next batch reports a broken connection
            }
        }
    }

    /** Writes what is queued, stops the writer and closes its connection. */
    @Override
    public void close() {
        closing = true;
        try {
            writer.join(30_000);
            db.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (SQLException e) {
            LOG.log(System.Logger.Level.WARNING, "closing the ledger database: " + e.getMessage());
        }
    }
}
