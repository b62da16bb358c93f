package dev.hearth.server.agents;

import java.nio.file.Path;

/** Child process for {@link LedgerCrashTest}: records ledger rows without end, printing each new committed count. */
public final class LedgerWriterMain {
    public static void main(String[] args) throws Exception {
        Ledger ledger = new Ledger(AgentDatabase.open(Path.of(args[0])));
        long reported = 0;
        for (long i = 0; ; i++) {
            ledger.record(new LedgerEntry("agent-" + i % 7, "m", "local", "/v1/chat/completions", i, 10, 20, 1.5,
                    3.0, "stop", 200, null));
            if (i % 64 == 0) {
                Thread.sleep(1);
                long committed = ledger.committed();
                if (committed != reported) {
                    reported = committed;
                    System.out.println("committed " + committed);
                    System.out.flush();
                }
            }
        }
    }
}
