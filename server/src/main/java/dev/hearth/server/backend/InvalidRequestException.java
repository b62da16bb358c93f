package dev.hearth.server.backend;

/** A request a backend cannot serve as asked, naming the field at fault (HTTP 400). */
public final class InvalidRequestException extends RuntimeException {
    private final String param;

    public InvalidRequestException(String param, String message) {
        super(message);
        this.param = param;
    }

    public String param() {
        return param;
    }
}
