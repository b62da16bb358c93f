package dev.hearth.server.chat;

/**
 * R1-style reasoning: text between {@code <think>} (at the start of the answer, or already opened by the prompt, as
 * DeepSeek-R1 distills do) and {@code </think>} is reasoning, the rest content for the next stage. Whitespace
 * around the reasoning is trimmed. An answer that ends while thinking has only reasoning.
 */
final class ReasoningParser implements TextStage {
    static final String OPEN = "<think>";
    static final String CLOSE = "</think>";
    private final TextStage next;
    private final StringBuilder buffer = new StringBuilder();
    private State state;
    private boolean reasoningStarted;

    private enum State { START, THINKING, AFTER_THINKING, CONTENT }

    /** @param startsThinking the prompt ends with {@code <think>}: the answer begins inside the reasoning */
    ReasoningParser(TextStage next, boolean startsThinking) {
        this.next = next;
        this.state = startsThinking ? State.THINKING : State.START;
    }

    @Override
    public void push(String delta, OutputSink out) {
        buffer.append(delta);
        while (true) {
            switch (state) {
                case START -> {
                    int first = Markers.firstNonSpace(buffer);
                    String rest = buffer.substring(first);
                    if (rest.startsWith(OPEN)) {
                        buffer.delete(0, first + OPEN.length());
                        state = State.THINKING;
                    } else if (OPEN.startsWith(rest)) {
                        return; // blank, or a partial <think>: not decided yet
                    } else {
                        state = State.CONTENT;
                    }
                }
                case THINKING -> {
                    int at = buffer.indexOf(CLOSE);
                    if (at < 0) {
                        int safe = buffer.length() - Markers.partialSuffix(buffer, CLOSE);
                        reasoning(buffer.substring(0, safe), out);
                        buffer.delete(0, safe - held(buffer, safe));
                        return;
                    }
                    reasoning(buffer.substring(0, at), out);
                    buffer.delete(0, at + CLOSE.length());
                    state = State.AFTER_THINKING;
                }
                case AFTER_THINKING -> {
                    int first = Markers.firstNonSpace(buffer);
                    buffer.delete(0, first);
                    if (buffer.isEmpty()) {
                        return;
                    }
                    state = State.CONTENT;
                }
                case CONTENT -> {
                    if (!buffer.isEmpty()) {
                        String text = buffer.toString();
                        buffer.setLength(0);
                        next.push(text, out);
                    }
                    return;
                }
            }
        }
    }

    /**
     * Emits the reasoning in {@code text} without its leading whitespace (at the start) and without its trailing
     * whitespace, which {@link #held} keeps in the buffer until text follows it.
     */
    private void reasoning(String text, OutputSink out) {
        int end = text.length();
        while (end > 0 && Character.isWhitespace(text.charAt(end - 1))) {
            end--;
        }
        int start = reasoningStarted ? 0 : Markers.firstNonSpace(text);
        if (start < end) {
            out.reasoning(text.substring(start, end));
            reasoningStarted = true;
        }
    }

    /** Trailing whitespace of {@code buffer[0, safe)}, kept back; none while nothing was emitted yet. */
    private int held(CharSequence buffer, int safe) {
        if (!reasoningStarted) {
            return 0;
        }
        int end = safe;
        while (end > 0 && Character.isWhitespace(buffer.charAt(end - 1))) {
            end--;
        }
        return safe - end;
    }

    @Override
    public void finish(OutputSink out) {
        switch (state) {
            case START, CONTENT -> {
                String text = buffer.toString();
                buffer.setLength(0);
                if (!text.isEmpty()) {
                    next.push(text, out);
                }
            }
            case THINKING -> reasoning(buffer.toString(), out);
            case AFTER_THINKING -> { }
        }
        buffer.setLength(0);
        next.finish(out);
    }
}
