package dev.hearth.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.testing.Fixtures;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

class GgufFixtureReadTest {
    static final String[] MODELS = Fixtures.MODELS;

    @ParameterizedTest
    @FieldSource("MODELS")
    void readsEveryFixture(String name) throws Exception {
        try (GgufFile f = GgufFile.open(Fixtures.model(name))) {
            assertThat(f.version()).isEqualTo(3);
            String arch = f.metadata().getString(GgufKeys.GENERAL_ARCHITECTURE);
            assertThat(arch).isIn("llama", "qwen2", "qwen3");
            assertThat(f.metadata().getLong(GgufKeys.blockCount(arch))).isGreaterThan(0);
            assertThat(f.metadata().getStringArray(GgufKeys.TOKENIZER_TOKENS).length).isGreaterThan(30000);
            GgufTensorInfo embd = f.tensor(GgufKeys.TOKEN_EMBD);
            assertThat(embd.shape()[0]).isEqualTo(f.metadata().getLong(GgufKeys.embeddingLength(arch)));
            long end = 0;
            for (GgufTensorInfo t : f.tensors()) {
                end = Math.max(end, f.dataOffset() + t.offset() + t.byteSize());
            }
            assertThat(end).isLessThanOrEqualTo(f.fileSize());
        }
    }
}
