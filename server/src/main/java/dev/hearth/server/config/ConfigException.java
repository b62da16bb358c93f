package dev.hearth.server.config;

/** An invalid routing configuration; the message names the file, the line and the field. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
