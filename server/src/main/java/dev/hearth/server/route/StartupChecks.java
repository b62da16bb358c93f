package dev.hearth.server.route;

import dev.hearth.server.local.LocalModelCheck;
import java.util.Map;

/**
 * What {@code serve --config} found at start, for the {@link Router}: configured local models that cannot serve
 * (file missing, not stored and not pullable, too big) and remote backends that are disabled (their API key variable
 * is unset), each with the reason and a sentence saying why, and the name the local engine knows each configured
 * local model by (the configuration's name for a file, the store's name for a stored or pulled model).
 */
public record StartupChecks(Map<String, LocalModelCheck.Refusal> unavailableLocal,
        Map<String, LocalModelCheck.Refusal> disabledBackends, Map<String, String> localNames) {
    public StartupChecks {
        unavailableLocal = Map.copyOf(unavailableLocal);
        disabledBackends = Map.copyOf(disabledBackends);
        localNames = Map.copyOf(localNames);
    }
}
