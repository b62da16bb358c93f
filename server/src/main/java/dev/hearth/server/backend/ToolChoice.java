package dev.hearth.server.backend;

/**
 * OpenAI's {@code tool_choice}: whether the model may ({@code auto}), must ({@code required}) or must not
 * ({@code none}) call a tool, or must call one named function. For local models whose call markup is known, the
 * sampling is constrained to it ({@link dev.hearth.server.chat.ToolCallGrammar}); otherwise the template is told.
 *
 * @param function the function a {@link Mode#FUNCTION} choice names (null otherwise)
 */
public record ToolChoice(Mode mode, String function) {
    public enum Mode { NONE, AUTO, REQUIRED, FUNCTION }

    public static final ToolChoice AUTO = new ToolChoice(Mode.AUTO, null);
    public static final ToolChoice NONE = new ToolChoice(Mode.NONE, null);
    public static final ToolChoice REQUIRED = new ToolChoice(Mode.REQUIRED, null);

    public ToolChoice {
        if ((mode == Mode.FUNCTION) != (function != null)) {
            throw new IllegalArgumentException("a function name goes with mode FUNCTION only");
        }
    }

    public static ToolChoice function(String name) {
        return new ToolChoice(Mode.FUNCTION, name);
    }
}
