package dev.hearth.device;

/**
 * A device cannot be used: no loader, no device, a driver error, a model it cannot hold. The message is one line
 * for the user; callers fall back to the CPU with it, never crash.
 */
public final class DeviceUnavailableException extends Exception {
    public DeviceUnavailableException(String message) {
        super(message);
    }

    public DeviceUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
