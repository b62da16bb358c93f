package dev.hearth.server.agents;

import java.util.Locale;

/** Where an agent's requests may run: on this machine only, or also on a cloud upstream when routing falls back. */
public enum RouteClass {
    LOCAL, CLOUD_OK;

    public static RouteClass parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "local" -> LOCAL;
            case "cloud-ok", "cloud_ok" -> CLOUD_OK;
            default -> throw new IllegalArgumentException("class must be local or cloud-ok, got '" + text + "'");
        };
    }

    public String apiName() {
        return this == LOCAL ? "local" : "cloud-ok";
    }
}
