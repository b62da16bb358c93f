package dev.hearth.server.hub;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The built-in model catalogue. Repositories are the well-known GGUF publishers; shapes are from each model's
 * config.json (hidden_size, num_hidden_layers, num_key_value_heads, head_dim, max_position_embeddings,
 * vocab_size). Names follow {@code family:size}; a quantization suffix selects another file:
 * {@code qwen2.5:7b-q8_0}.
 */
public final class Catalogue {
    /** A catalogue entry with a chosen quantization. */
    public record Selection(CatalogueEntry entry, String quant) {
        public String localName() {
            return quant.equals(entry.quantizations().getFirst()) ? entry.name()
                    : entry.name() + "-" + quant.toLowerCase(Locale.ROOT);
        }
    }

    private static final List<String> STANDARD = List.of("Q4_K_M", "Q5_K_M", "Q8_0");
    private static final List<CatalogueEntry> ENTRIES = List.of(
            qwen25("0.5b", "0.5B", 494_032_768L, 24, 2, 64, 896, 151_936),
            qwen25("1.5b", "1.5B", 1_543_714_304L, 28, 2, 128, 1536, 151_936),
            qwen25("3b", "3B", 3_085_938_688L, 36, 2, 128, 2048, 151_936),
            qwen25("7b", "7B", 7_615_616_512L, 28, 4, 128, 3584, 152_064),
            qwen25("14b", "14B", 14_770_033_664L, 48, 8, 128, 5120, 152_064),
            qwen25("32b", "32B", 32_763_876_352L, 64, 8, 128, 5120, 152_064),
            dense("llama3.2:1b", "bartowski/Llama-3.2-1B-Instruct-GGUF", "Llama-3.2-1B-Instruct-{QUANT}", "llama",
                    1_235_814_400L, 16, 8, 64, 2048, 131_072, 128_256),
            dense("llama3.2:3b", "bartowski/Llama-3.2-3B-Instruct-GGUF", "Llama-3.2-3B-Instruct-{QUANT}", "llama",
                    3_212_749_824L, 28, 8, 128, 3072, 131_072, 128_256),
            dense("llama3.1:8b", "bartowski/Meta-Llama-3.1-8B-Instruct-GGUF", "Meta-Llama-3.1-8B-Instruct-{QUANT}",
                    "llama", 8_030_261_248L, 32, 8, 128, 4096, 131_072, 128_256),
            dense("mistral:7b", "bartowski/Mistral-7B-Instruct-v0.3-GGUF", "Mistral-7B-Instruct-v0.3-{QUANT}",
                    "llama", 7_248_023_552L, 32, 8, 128, 4096, 32_768, 32_768),
            new CatalogueEntry("mixtral:8x7b", "TheBloke/Mixtral-8x7B-Instruct-v0.1-GGUF",
                    "mixtral-8x7b-instruct-v0.1.{QUANT}", STANDARD, "llama", 46_702_792_704L, 12_879_921_152L, 32, 8,
                    128, 4096, 32_768, 32_000),
            new CatalogueEntry("mixtral:8x22b", "MaziyarPanahi/Mixtral-8x22B-Instruct-v0.1-GGUF",
                    "Mixtral-8x22B-Instruct-v0.1.{QUANT}", STANDARD, "llama", 140_620_634_112L, 39_153_194_496L, 56,
                    8, 128, 6144, 65_536, 32_768),
            r1("1.5b", "Qwen-1.5B", "qwen2", 1_777_088_000L, 28, 2, 128, 1536, 151_936),
            r1("7b", "Qwen-7B", "qwen2", 7_615_616_512L, 28, 4, 128, 3584, 152_064),
            r1("8b", "Llama-8B", "llama", 8_030_261_248L, 32, 8, 128, 4096, 128_256),
            r1("14b", "Qwen-14B", "qwen2", 14_770_033_664L, 48, 8, 128, 5120, 152_064),
            r1("32b", "Qwen-32B", "qwen2", 32_763_876_352L, 64, 8, 128, 5120, 152_064),
            qwen3("0.6b", "0.6B", 596_049_920L, 28, 8, 1024),
            qwen3("1.7b", "1.7B", 1_720_574_976L, 28, 8, 2048),
            qwen3("4b", "4B", 4_022_468_096L, 36, 8, 2560),
            qwen3("8b", "8B", 8_190_735_360L, 36, 8, 4096),
            qwen3("14b", "14B", 14_768_307_200L, 40, 8, 5120),
            qwen3("32b", "32B", 32_762_123_264L, 64, 8, 5120));

    private Catalogue() {}

    public static List<CatalogueEntry> entries() {
        return ENTRIES;
    }

    /** Entries whose name or repository contains {@code word} (case-insensitive); all when blank. */
    public static List<CatalogueEntry> search(String word) {
        if (word == null || word.isBlank()) {
            return ENTRIES;
        }
        String w = word.toLowerCase(Locale.ROOT);
        List<CatalogueEntry> out = new ArrayList<>();
        for (CatalogueEntry e : ENTRIES) {
            if (e.name().contains(w) || e.repo().toLowerCase(Locale.ROOT).contains(w)) {
                out.add(e);
            }
        }
        return out;
    }

    public static Optional<CatalogueEntry> find(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return ENTRIES.stream().filter(e -> e.name().equals(n)).findFirst();
    }

    /**
     * Looks up {@code family:size} or {@code family:size-quant}. Empty when the name is not in the catalogue;
     * an error when the entry exists but does not publish that quantization.
     */
    public static Optional<Selection> lookup(String ref) {
        Optional<CatalogueEntry> exact = find(ref);
        if (exact.isPresent()) {
            return Optional.of(new Selection(exact.get(), exact.get().quantizations().getFirst()));
        }
        int dash = ref.lastIndexOf('-');
        if (dash < 0 || ref.indexOf(':') < 0 || dash < ref.indexOf(':')) {
            return Optional.empty();
        }
        Optional<CatalogueEntry> base = find(ref.substring(0, dash));
        if (base.isEmpty()) {
            return Optional.empty();
        }
        String quant = ref.substring(dash + 1).toUpperCase(Locale.ROOT);
        if (!base.get().publishes(quant)) {
            throw new HubException("catalogue model '" + base.get().name() + "' has no " + quant + " file; available: "
                    + String.join(", ", base.get().quantizations()));
        }
        return Optional.of(new Selection(base.get(), quant));
    }

    private static CatalogueEntry qwen25(String tag, String size, long params, int layers, int kv, int headDim,
                                         int dim, int vocab) {
        return new CatalogueEntry("qwen2.5:" + tag, "bartowski/Qwen2.5-" + size + "-Instruct-GGUF",
                "Qwen2.5-" + size + "-Instruct-{QUANT}", STANDARD, "qwen2", params, params, layers, kv, headDim, dim,
                32_768, vocab);
    }

    private static CatalogueEntry qwen3(String tag, String size, long params, int layers, int kv, int dim) {
        return new CatalogueEntry("qwen3:" + tag, "bartowski/Qwen_Qwen3-" + size + "-GGUF",
                "Qwen_Qwen3-" + size + "-{QUANT}", STANDARD, "qwen3", params, params, layers, kv, 128, dim, 40_960,
                151_936);
    }

    private static CatalogueEntry r1(String tag, String variant, String arch, long params, int layers, int kv,
                                     int headDim, int dim, int vocab) {
        return new CatalogueEntry("deepseek-r1:" + tag, "bartowski/DeepSeek-R1-Distill-" + variant + "-GGUF",
                "DeepSeek-R1-Distill-" + variant + "-{QUANT}", STANDARD, arch, params, params, layers, kv, headDim,
                dim, 131_072, vocab);
    }

    private static CatalogueEntry dense(String name, String repo, String stem, String arch, long params, int layers,
                                        int kv, int headDim, int dim, int ctx, int vocab) {
        return new CatalogueEntry(name, repo, stem, STANDARD, arch, params, params, layers, kv, headDim, dim, ctx,
                vocab);
    }
}
