package dev.hearth.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The asset cache keeps files that exist only: names of missing files, which any client can make up, are not kept. */
class StaticAssetsTest {
    @Test
    void missingFilesAreNotKept() {
        StaticAssets assets = new StaticAssets();
        for (int i = 0; i < 1_000; i++) {
            assertThat(assets.sendPage("missing-" + i + ".js", null)).isFalse();
            assertThat(assets.sendWebJar("marked", "missing-" + i + ".js", null)).isFalse();
        }
        assertThat(assets.cached()).isZero();
    }
}
