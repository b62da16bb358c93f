package dev.hearth.server.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelStoreTest {
    @TempDir
    Path home;

    ModelManifest storeModel(ModelStore store, String name, byte[]... contents) throws IOException {
        List<ModelManifest.FileEntry> files = new java.util.ArrayList<>();
        int i = 0;
        for (byte[] c : contents) {
            String sha = PartialDownload.sha256Hex(c);
            Path tmp = Files.createTempFile(home, "blob", ".tmp");
            Files.write(tmp, c);
            store.importBlob(tmp, sha);
            files.add(new ModelManifest.FileEntry("f" + (i++) + ".gguf", sha, c.length));
        }
        ModelManifest m = new ModelManifest(name, "hf://x/y", "abc", files, "Q8_0", "llama", 42, "2026-01-01T00:00:00Z");
        store.writeManifest(m);
        return m;
    }

    @Test
    void rejectsNamesThatCouldEscapeTheStore() {
        for (String bad : List.of("../x", "..", "/etc/passwd", "a/b", "a\\b", "x:../y", "a:b:c", "", " ", ".hidden",
                "a\u0000b", "name with space", "-dash", "x:")) {
            assertThatThrownBy(() -> ModelName.parse(bad)).as(bad).isInstanceOf(HubException.class)
                    .hasMessageContaining("model name");
        }
        assertThatThrownBy(() -> ModelName.parse("../x")).hasMessageContaining("path separators");
        assertThatThrownBy(() -> ModelName.parse("a..b")).hasMessageContaining("'..' is not allowed");
        assertThatThrownBy(() -> ModelName.parse("a\u0001b")).hasMessageContaining("\\u0001");
    }

    @Test
    void normalisesValidNames() {
        assertThat(ModelName.parse("Qwen2.5:7B").toString()).isEqualTo("qwen2.5:7b");
        assertThat(ModelName.parse("mine").toString()).isEqualTo("mine:latest");
        assertThat(ModelName.parse("deepseek-r1:1.5b-q8_0").tag()).isEqualTo("1.5b-q8_0");
    }

    @Test
    void listsCopiesAndRemovesSharingBlobs() throws IOException {
        ModelStore store = new ModelStore(home);
        byte[] a = "aaaa".getBytes();
        byte[] b = "bbbbbb".getBytes();
        storeModel(store, "one:1", a, b);
        store.copy("one:1", "alias");
        assertThat(store.list()).extracting(ModelManifest::name).containsExactly("alias:latest", "one:1");
        assertThatThrownBy(() -> store.copy("one:1", "alias")).hasMessageContaining("already exists");
        assertThatThrownBy(() -> store.copy("nope", "x")).isInstanceOf(ModelNotFoundException.class);

        assertThat(store.remove("one:1")).isZero(); // blobs still used by the alias
        assertThat(store.blobPath(PartialDownload.sha256Hex(a))).exists();
        ResolvedModel r = store.resolve("alias");
        assertThat(Files.readAllBytes(r.path())).isEqualTo(a);
        assertThat(r.shards()).hasSize(2);

        assertThat(store.remove("alias")).isEqualTo(a.length + b.length);
        assertThat(store.blobPath(PartialDownload.sha256Hex(a))).doesNotExist();
        assertThat(store.list()).isEmpty();
        assertThatThrownBy(() -> store.remove("alias")).isInstanceOf(ModelNotFoundException.class)
                .hasMessageContaining("'alias:latest' not found");
    }

    @Test
    void resolverNamesMissingAndDamagedModels() throws IOException {
        ModelStore store = new ModelStore(home);
        assertThatThrownBy(() -> store.resolve("ghost:1b")).isInstanceOf(ModelNotFoundException.class)
                .hasMessageContaining("model 'ghost:1b' not found").hasMessageContaining("hearth pull");
        ModelManifest m = storeModel(store, "d", "data".getBytes());
        Files.delete(store.blobPath(m.files().getFirst().sha256()));
        assertThatThrownBy(() -> store.resolve("d")).isInstanceOf(HubException.class)
                .hasMessageContaining("damaged").hasMessageContaining("f0.gguf");
    }

    @Test
    void aManifestIsOnlyWrittenWhenItsBlobsArePresent() {
        ModelStore store = new ModelStore(home);
        ModelManifest m = new ModelManifest("x", "s", "r", List.of(new ModelManifest.FileEntry("f.gguf",
                "0".repeat(64), 10)), "Q8_0", "llama", 1, "t");
        assertThatThrownBy(() -> store.writeManifest(m)).hasMessageContaining("not in the store");
        assertThat(store.list()).isEmpty();
    }

    @Test
    void leftoversOfACrashAreInvisible() throws IOException {
        ModelStore store = new ModelStore(home);
        storeModel(store, "ok", "fine".getBytes());
        // a temp manifest from a killed writer, a damaged manifest and a partial download
        Path dir = store.manifestsDir().resolve("ok");
        Files.writeString(dir.resolve(".latest.json.123.tmp"), "{\"name\":");
        Files.createDirectories(store.manifestsDir().resolve("torn"));
        Files.writeString(store.manifestsDir().resolve("torn").resolve("latest.json"), "{\"name\":\"torn");
        Files.createDirectories(store.partialDir());
        Files.writeString(store.partialDir().resolve("abc.part"), "xx");
        assertThat(store.list()).extracting(ModelManifest::name).containsExactly("ok:latest");
        assertThat(store.resolve("ok").manifest().architecture()).isEqualTo("llama");
    }

    @Test
    void atomicWriteLeavesTheOldFileWhenTheNewOneCannotBeWritten() throws IOException {
        Path target = home.resolve("m.json");
        AtomicFiles.write(target, "old".getBytes());
        Path blocker = home.resolve("blocked");
        Files.writeString(blocker, "a file where a directory is expected");
        assertThatThrownBy(() -> AtomicFiles.write(blocker.resolve("x.json"), "new".getBytes()))
                .isInstanceOf(IOException.class);
        AtomicFiles.write(target, "new".getBytes());
        assertThat(Files.readString(target)).isEqualTo("new");
        try (var s = Files.list(home)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("m.json", "blocked");
        }
    }

    @Test
    void homeComesFromThePropertyFirst() {
        String before = System.getProperty(HearthHome.PROPERTY);
        try {
            System.setProperty(HearthHome.PROPERTY, home.toString());
            assertThat(ModelStore.open().home()).isEqualTo(home.toAbsolutePath());
        } finally {
            if (before == null) {
                System.clearProperty(HearthHome.PROPERTY);
            } else {
                System.setProperty(HearthHome.PROPERTY, before);
            }
        }
    }
}
