package dev.hearth.server.hub;

import java.util.List;
import java.util.Locale;

/**
 * One built-in model: where its GGUF files live and the shapes the planner needs (from the model's config.json).
 *
 * @param name                  catalogue name, {@code family:size}, e.g. {@code qwen2.5:7b}
 * @param repo                  Hugging Face repository holding the GGUF files
 * @param fileStem              file name without extension, with {@code {QUANT}} for the quantization; split
 *                              models add {@code -0000k-of-0000n}, and may sit in a folder named like the stem
 * @param quantizations         published quantizations; the first is the default
 * @param parameterCount        total weights
 * @param activeParameterCount  weights read per token (differs from the total for mixture-of-experts models)
 * @param layers                transformer blocks
 * @param keyValueHeads         key/value heads (grouped-query attention)
 * @param headDim               size of one attention head
 * @param dim                   hidden size
 * @param contextLength         trained context length
 * @param vocabSize             vocabulary size (for the logits buffer)
 */
public record CatalogueEntry(String name, String repo, String fileStem, List<String> quantizations,
                             String architecture, long parameterCount, long activeParameterCount, int layers,
                             int keyValueHeads, int headDim, int dim, int contextLength, int vocabSize) {
    public static final String DEFAULT_QUANT = "Q4_K_M";

    public CatalogueEntry {
        quantizations = List.copyOf(quantizations);
    }

    public String fileStem(String quant) {
        return fileStem.replace("{QUANT}", quant);
    }

    public boolean publishes(String quant) {
        return quantizations.contains(quant.toUpperCase(Locale.ROOT));
    }

    public ModelShape shape() {
        return new ModelShape(architecture, parameterCount, activeParameterCount, layers, keyValueHeads, headDim,
                dim, contextLength, vocabSize);
    }

    /** Size estimate of the weights in this quantization (exact sizes come from the Hub listing at pull time). */
    public long estimatedBytes(String quant) {
        return Quantizations.estimateBytes(parameterCount, quant);
    }
}
