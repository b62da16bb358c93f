package dev.hearth.engine;

import java.util.List;

/**
 * Holds back generated text that could be the start of a stop string, so that a stop string spanning token
 * boundaries is never emitted. Feed text deltas; get back the text that is safe to send.
 */
public final class StopMatcher {
    private final List<String> stops;
    private final StringBuilder pending = new StringBuilder();
    private boolean stopped;

    public StopMatcher(List<String> stops) {
        for (String s : stops) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("stop strings must not be empty");
            }
        }
        this.stops = List.copyOf(stops);
    }

    /** True once a stop string was seen; later input is ignored. */
    public boolean stopped() {
        return stopped;
    }

    /** Appends a delta and returns the text now safe to emit (possibly empty). */
    public String accept(String delta) {
        if (stopped) {
            return "";
        }
        pending.append(delta);
        if (stops.isEmpty()) {
            String out = pending.toString();
            pending.setLength(0);
            return out;
        }
        int first = -1;
        for (String s : stops) {
            int at = pending.indexOf(s);
            if (at >= 0 && (first < 0 || at < first)) {
                first = at;
            }
        }
        if (first >= 0) {
            stopped = true;
            String out = pending.substring(0, first);
            pending.setLength(0);
            return out;
        }
        int hold = 0;
        for (String s : stops) {
            hold = Math.max(hold, partialSuffix(pending, s));
        }
        int emit = pending.length() - hold;
        String out = pending.substring(0, emit);
        pending.delete(0, emit);
        return out;
    }

    /** The text still held back (at the end of a generation that did not stop on a string, it is emitted). */
    public String flush() {
        String out = stopped ? "" : pending.toString();
        pending.setLength(0);
        return out;
    }

    /** Length of the longest suffix of text that is a proper prefix of stop. */
    private static int partialSuffix(CharSequence text, String stop) {
        int max = Math.min(text.length(), stop.length() - 1);
        for (int len = max; len > 0; len--) {
            boolean match = true;
            int base = text.length() - len;
            for (int i = 0; i < len; i++) {
                if (text.charAt(base + i) != stop.charAt(i)) {
                    match = false;
                    break;
                }
            }
            if (match) {
                return len;
            }
        }
        return 0;
    }
}
