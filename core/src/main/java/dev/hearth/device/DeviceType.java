package dev.hearth.device;

/** What kind of device a backend found, as Vulkan reports it (a software rasterizer such as lavapipe is CPU). */
public enum DeviceType {
    DISCRETE, INTEGRATED, VIRTUAL, CPU, OTHER;

    /** Lower is preferred when a device is picked for the user: a discrete card before an integrated GPU. */
    int preference() {
        return switch (this) {
            case DISCRETE -> 0;
            case INTEGRATED -> 1;
            case VIRTUAL -> 2;
            case OTHER -> 3;
            case CPU -> 4;
        };
    }

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
