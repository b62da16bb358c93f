package dev.hearth.engine;

/** Why a generation ended, spelled as the OpenAI API spells it. */
public enum FinishReason {
    /** An end-of-generation token or a stop string. */
    STOP("stop"),
    /** The token limit or the end of the context. */
    LENGTH("length"),
    /** The client went away or asked to stop. */
    CANCELLED("cancelled"),
    /** The engine failed; the event carries the message. */
    ERROR("error");

    private final String apiName;

    FinishReason(String apiName) {
        this.apiName = apiName;
    }

    public String apiName() {
        return apiName;
    }
}
