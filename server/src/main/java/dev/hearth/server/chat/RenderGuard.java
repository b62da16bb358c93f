package dev.hearth.server.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.tree.Node;
import java.time.Duration;
import java.util.function.BiConsumer;

/**
 * Stops a runaway template: runs before every node Jinjava renders (so inside every loop iteration and macro call)
 * and aborts the render when the node budget or the wall-clock deadline is spent, or as soon as the template has
 * produced a fatal error (Python Jinja stops at the first error; Jinjava would carry on).
 */
final class RenderGuard implements BiConsumer<Node, JinjavaInterpreter> {

    /** Thrown to abort a render; Jinjava records it as the render's error. */
    static final class Abort extends RuntimeException {
        final TemplateError firstError;

        Abort(String message, TemplateError firstError) {
            super(message, firstError == null ? null : firstError.getException(), false, false);
            this.firstError = firstError;
        }
    }

    private record Budget(long deadlineNanos, long maxNodes, long[] nodes) {}

    private static final ThreadLocal<Budget> CURRENT = new ThreadLocal<>();

    private final Duration timeLimit;
    private final long maxNodes;

    RenderGuard(Duration timeLimit, long maxNodes) {
        this.timeLimit = timeLimit;
        this.maxNodes = maxNodes;
    }

    /** Arms the guard for one render on this thread; close the returned handle when the render ends. */
    AutoCloseable arm() {
        CURRENT.set(new Budget(System.nanoTime() + timeLimit.toNanos(), maxNodes, new long[1]));
        return CURRENT::remove;
    }

    /** Errors Python Jinja would raise on; Jinjava downgrades some (recursion limits, too much output) to warnings. */
    static boolean isFailure(TemplateError error) {
        return error.getSeverity() == TemplateError.ErrorType.FATAL || switch (error.getReason()) {
            case SYNTAX_ERROR, EXCEPTION, DISABLED, INVALID_ARGUMENT, INVALID_INPUT, OUTPUT_TOO_BIG, OVER_LIMIT,
                 COLLECTION_TOO_BIG, BAD_URL -> true;
            default -> false;
        };
    }

    @Override
    public void accept(Node node, JinjavaInterpreter interpreter) {
        Budget budget = CURRENT.get();
        if (budget == null) {
            return;
        }
        if (++budget.nodes()[0] > budget.maxNodes()) {
            throw new Abort("template rendered more than " + budget.maxNodes() + " nodes (endless loop?), stopped at line "
                    + node.getLineNumber(), null);
        }
        if ((budget.nodes()[0] & 63) == 0 && System.nanoTime() > budget.deadlineNanos()) {
            throw new Abort("template ran longer than " + timeLimit.toMillis() + " ms, stopped at line "
                    + node.getLineNumber(), null);
        }
        for (TemplateError error : interpreter.getErrors()) {
            if (isFailure(error)) {
                throw new Abort("stopped after the first error", error);
            }
        }
    }
}
