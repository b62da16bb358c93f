package dev.hearth.server.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CatalogueTest {
    @Test
    void coversTheAskedFamilies() {
        assertThat(Catalogue.entries()).extracting(CatalogueEntry::name).contains("qwen2.5:0.5b", "qwen2.5:1.5b",
                "qwen2.5:3b", "qwen2.5:7b", "qwen2.5:14b", "qwen2.5:32b", "llama3.2:1b", "llama3.2:3b", "llama3.1:8b",
                "mistral:7b", "mixtral:8x7b", "mixtral:8x22b", "deepseek-r1:1.5b", "deepseek-r1:7b", "deepseek-r1:8b",
                "deepseek-r1:14b", "deepseek-r1:32b", "qwen3:0.6b", "qwen3:1.7b", "qwen3:4b", "qwen3:8b", "qwen3:14b",
                "qwen3:32b");
    }

    @Test
    void entriesAreConsistent() {
        Set<String> names = new HashSet<>();
        for (CatalogueEntry e : Catalogue.entries()) {
            assertThat(names.add(e.name())).as("unique " + e.name()).isTrue();
            assertThat(ModelName.parse(e.name()).toString()).isEqualTo(e.name());
            assertThat(e.quantizations().getFirst()).isEqualTo("Q4_K_M");
            assertThat(e.fileStem()).contains("{QUANT}");
            assertThat(e.repo()).matches("[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+");
            assertThat(e.activeParameterCount()).isPositive().isLessThanOrEqualTo(e.parameterCount());
            assertThat(e.dim() % e.headDim()).isZero();
            assertThat(e.layers()).isBetween(16, 64);
            for (String q : e.quantizations()) {
                assertThat(Quantizations.isKnown(q)).isTrue();
            }
        }
    }

    @Test
    void sizeEstimatesMatchPublishedFiles() {
        // bartowski's Qwen2.5-32B-Instruct-Q4_K_M.gguf is 19.85 GB; Mixtral-8x22B Q4_K_M about 85.6 GB
        assertThat(Catalogue.find("qwen2.5:32b").orElseThrow().estimatedBytes("Q4_K_M") / 1e9).isBetween(19.0, 20.8);
        assertThat(Catalogue.find("mixtral:8x22b").orElseThrow().estimatedBytes("Q4_K_M") / 1e9).isBetween(82.0, 88.0);
    }

    @Test
    void resolvesNamesAndQuantSuffixes() {
        PullRef r = PullRef.parse("qwen2.5:7b");
        assertThat(r.repo()).isEqualTo("bartowski/Qwen2.5-7B-Instruct-GGUF");
        assertThat(r.quant()).isEqualTo("Q4_K_M");
        assertThat(r.fileStem()).isEqualTo("Qwen2.5-7B-Instruct-Q4_K_M");
        assertThat(r.localName()).isEqualTo("qwen2.5:7b");

        PullRef q8 = PullRef.parse("qwen2.5:7b-q8_0");
        assertThat(q8.quant()).isEqualTo("Q8_0");
        assertThat(q8.fileStem()).isEqualTo("Qwen2.5-7B-Instruct-Q8_0");
        assertThat(q8.localName()).isEqualTo("qwen2.5:7b-q8_0");

        assertThatThrownBy(() -> PullRef.parse("qwen2.5:7b-q3_k_s")).hasMessageContaining("no Q3_K_S file")
                .hasMessageContaining("Q4_K_M, Q5_K_M, Q8_0");
        assertThatThrownBy(() -> PullRef.parse("nosuch:1b")).hasMessageContaining("not in the catalogue");
        assertThat(Catalogue.search("r1")).hasSize(5);
    }

    @Test
    void parsesHfReferences() {
        PullRef a = PullRef.parse("hf://bartowski/Qwen2.5-7B-Instruct-GGUF:q5_k_m");
        assertThat(a.repo()).isEqualTo("bartowski/Qwen2.5-7B-Instruct-GGUF");
        assertThat(a.quant()).isEqualTo("Q5_K_M");
        assertThat(a.revision()).isEqualTo("main");
        assertThat(a.localName()).isEqualTo("qwen2.5-7b-instruct:q5_k_m");

        PullRef b = PullRef.parse("hf://o/r/sub/File-Q8_0.gguf@v1.0");
        assertThat(b.file()).isEqualTo("sub/File-Q8_0.gguf");
        assertThat(b.revision()).isEqualTo("v1.0");
        assertThat(b.localName()).isEqualTo("r:q8_0");

        assertThatThrownBy(() -> PullRef.parse("hf://o/r/../../etc/x.gguf")).hasMessageContaining("invalid file path");
        assertThatThrownBy(() -> PullRef.parse("hf://o/r/model.bin")).hasMessageContaining("not a .gguf file");
        assertThatThrownBy(() -> PullRef.parse("hf://onlyowner")).hasMessageContaining("expected hf://OWNER/REPO");
    }

    @Test
    void quantizationFromFileNames() {
        assertThat(Quantizations.fromFileName("Qwen2.5-7B-Instruct-Q4_K_M.gguf")).isEqualTo("Q4_K_M");
        assertThat(Quantizations.fromFileName("mixtral-8x7b-instruct-v0.1.Q5_K_M.gguf")).isEqualTo("Q5_K_M");
        assertThat(Quantizations.fromFileName("qwen2.5-7b-instruct-q8_0-00001-of-00003.gguf")).isEqualTo("Q8_0");
        assertThat(Quantizations.fileHasQuant("x-Q4_K_M.gguf", "Q4_K")).isFalse();
        assertThat(Quantizations.fileHasQuant("x-q4_k_m.gguf", "Q4_K_M")).isTrue();
        assertThat(Bytes.parse("64G")).isEqualTo(64_000_000_000L);
        assertThat(Bytes.parse("16GiB")).isEqualTo(16L << 30);
        assertThat(Bytes.format(19_851_336_256L)).isEqualTo("19.9 GB");
    }
}
