package dev.hearth.server.http.openai;

import dev.hearth.server.http.api.ChoiceEvents;
import io.helidon.webserver.http.ServerResponse;

/** Writes one local generation as an OpenAI answer: whole ({@link #complete}) or as SSE chunks ({@link #stream}). */
interface Responder {
    Object complete(ChoiceEvents events) throws InterruptedException;

    void stream(ChoiceEvents events, ServerResponse res, boolean includeUsage) throws InterruptedException;
}
