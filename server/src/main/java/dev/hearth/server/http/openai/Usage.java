package dev.hearth.server.http.openai;

/** Exact token counts of one response: the prompt once, the completion tokens of every choice. */
public record Usage(int promptTokens, int completionTokens, int totalTokens) {
    public static Usage of(int prompt, int completion) {
        return new Usage(prompt, completion, prompt + completion);
    }
}
