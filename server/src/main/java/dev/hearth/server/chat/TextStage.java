package dev.hearth.server.chat;

/**
 * One stage of answer parsing, fed text deltas in order: it passes what is certainly plain text on as content, and
 * holds back text that may still turn into markup (a partial marker, an unfinished call) until it knows.
 */
interface TextStage {
    void push(String delta, OutputSink out);

    /** The answer ended: whatever is held back is decided now. */
    void finish(OutputSink out);

    /** Shared helpers of the stages. */
    final class Markers {
        private Markers() {}

        /** Length of the longest suffix of {@code text} that is a proper prefix of {@code marker}. */
        static int partialSuffix(CharSequence text, String marker) {
            int max = Math.min(text.length(), marker.length() - 1);
            for (int n = max; n > 0; n--) {
                boolean match = true;
                for (int i = 0; i < n; i++) {
                    if (text.charAt(text.length() - n + i) != marker.charAt(i)) {
                        match = false;
                        break;
                    }
                }
                if (match) {
                    return n;
                }
            }
            return 0;
        }

        static int firstNonSpace(CharSequence text) {
            int i = 0;
            while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            return i;
        }
    }
}
