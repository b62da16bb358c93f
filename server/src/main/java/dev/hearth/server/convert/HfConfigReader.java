package dev.hearth.server.convert;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.quant.HfModelConfig;
import dev.hearth.quant.RopeScaling;
import java.io.IOException;
import java.nio.file.Path;

/** {@code config.json} to {@link HfModelConfig}, with transformers' defaults for fields a model may leave out. */
public final class HfConfigReader {
    private HfConfigReader() {}

    public static HfModelConfig read(Path dir) throws IOException {
        Path file = dir.resolve("config.json");
        JsonNode c = HfJson.read(file);
        String f = file.toString();
        JsonNode archs = c.get("architectures");
        if (archs == null || !archs.isArray() || archs.isEmpty() || !archs.get(0).isTextual()) {
            throw new IllegalArgumentException(f + ": field \"architectures\" is missing or empty");
        }
        String hfArch = archs.get(0).asText();
        String arch = HfModelConfig.ggufArchitecture(hfArch);
        int dim = HfJson.requiredInt(c, "hidden_size", f);
        int heads = HfJson.requiredInt(c, "num_attention_heads", f);
        boolean explicitHeadDim = c.hasNonNull("head_dim");
        int headDim = explicitHeadDim ? HfJson.requiredInt(c, "head_dim", f) : dim / Math.max(1, heads);
        int experts = HfJson.optionalInt(c, "num_local_experts", 0);
        double theta = HfJson.optionalDouble(c, "rope_theta", 10000);
        return new HfModelConfig(hfArch, arch,
                HfJson.requiredInt(c, "num_hidden_layers", f), dim, heads,
                HfJson.optionalInt(c, "num_key_value_heads", heads), headDim, explicitHeadDim,
                HfJson.requiredInt(c, "intermediate_size", f),
                HfJson.requiredInt(c, "vocab_size", f),
                HfJson.optionalInt(c, "max_position_embeddings", 4096),
                (float) theta,
                (float) HfJson.optionalDouble(c, "rms_norm_eps", 1e-6),
                c.path("tie_word_embeddings").asBoolean(false),
                experts, experts > 0 ? HfJson.optionalInt(c, "num_experts_per_tok", 2) : 0,
                ropeScaling(c.get("rope_scaling"), f),
                dir.toAbsolutePath().normalize().getFileName().toString());
    }

    private static RopeScaling ropeScaling(JsonNode s, String file) {
        if (s == null || s.isNull()) {
            return null;
        }
        String type = s.hasNonNull("rope_type") ? s.get("rope_type").asText() : s.path("type").asText("");
        double factor = HfJson.optionalDouble(s, "factor", 1);
        return switch (type) {
            case "llama3" -> new RopeScaling.Llama3(factor, HfJson.optionalDouble(s, "low_freq_factor", 1),
                    HfJson.optionalDouble(s, "high_freq_factor", 4),
                    HfJson.optionalInt(s, "original_max_position_embeddings", 8192));
            case "linear" -> new RopeScaling.Linear(factor);
            case "yarn" -> new RopeScaling.Yarn(factor, HfJson.optionalInt(s, "original_max_position_embeddings", 0));
            case "default" -> null;
            default -> throw new IllegalArgumentException(file + ": rope_scaling type '" + type
                    + "' is not supported (supported: llama3, linear, yarn)");
        };
    }
}
