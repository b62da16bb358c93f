package dev.hearth.gpu;

import dev.hearth.device.ProcessExit;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Tells {@link ProcessExit} which signal is ending the JVM, so that a quick exit from the shutdown hook ends with
 * the status the JVM would have given (128 + the signal: 143 for SIGTERM); each handler then does what the one
 * before it did (the JVM's: run the hooks and exit; {@code hearth serve}'s: start the drain).
 */
final class ExitSignals {
    private ExitSignals() {
    }

    static void watch() {
        for (String name : new String[] {"TERM", "INT", "HUP"}) {
            try {
                Signal signal = new Signal(name);
                SignalHandler[] before = new SignalHandler[1];
                before[0] = Signal.handle(signal, s -> {
                    ProcessExit.signalled(128 + s.getNumber());
                    SignalHandler prev = before[0];
                    if (prev == SignalHandler.SIG_IGN) {
                        return;
                    }
                    if (prev == null || prev == SignalHandler.SIG_DFL) {
                        System.exit(128 + s.getNumber());
                    } else {
                        prev.handle(s);
                    }
                });
            } catch (IllegalArgumentException e) {
                // the VM keeps this signal (-Xrs, or one it uses itself): nothing to record
            }
        }
    }
}
