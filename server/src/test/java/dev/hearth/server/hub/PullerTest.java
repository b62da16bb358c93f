package dev.hearth.server.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PullerTest {
    @TempDir
    Path home;
    FakeHub hub;
    ModelStore store;
    byte[] q8;
    byte[] q4;

    @BeforeEach
    void setUp() throws IOException {
        hub = new FakeHub();
        store = new ModelStore(home);
        q8 = TinyGguf.model(1);
        q4 = TinyGguf.model(2);
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("README.md", "# tiny".getBytes());
        files.put("Tiny-Q4_K_M.gguf", q4);
        files.put("Tiny-Q8_0.gguf", q8);
        hub.addRepo("test/Tiny-GGUF", false, files);
    }

    @AfterEach
    void tearDown() {
        hub.close();
    }

    Puller puller(String token) {
        HubSettings s = new HubSettings(hub.endpoint(), token, 4, Duration.ofMillis(5), Duration.ofSeconds(5));
        return new Puller(store, new HfClient(s));
    }

    @Test
    void pullsByQuantFollowingTheRedirectAndVerifiesTheHash() throws IOException {
        List<PullEvent> events = new ArrayList<>();
        ModelManifest m = puller(null).pull("hf://test/Tiny-GGUF:Q8_0", events::add);

        assertThat(m.name()).isEqualTo("tiny:q8_0");
        assertThat(m.quantization()).isEqualTo("Q8_0");
        assertThat(m.architecture()).isEqualTo("llama");
        assertThat(m.parameterCount()).isEqualTo(TinyGguf.parameterCount());
        assertThat(m.revision()).isEqualTo(hub.repos.get("test/Tiny-GGUF").commit());
        assertThat(m.files()).singleElement().satisfies(f -> {
            assertThat(f.path()).isEqualTo("Tiny-Q8_0.gguf");
            assertThat(f.sha256()).isEqualTo(PartialDownload.sha256Hex(q8));
            assertThat(f.size()).isEqualTo(q8.length);
        });
        ResolvedModel r = store.resolve("tiny:q8_0");
        assertThat(Files.readAllBytes(r.path())).isEqualTo(q8);
        assertThat(events.getFirst()).isInstanceOf(PullEvent.Resolving.class);
        assertThat(events.getLast()).isInstanceOf(PullEvent.Done.class);
        PullEvent.Progress last = events.stream().filter(e -> e instanceof PullEvent.Progress)
                .map(e -> (PullEvent.Progress) e).reduce((a, b) -> b).orElseThrow();
        assertThat(last.totalBytes()).isEqualTo(q8.length);
        assertThat(hub.cdnRequests()).hasSize(1);
        assertThat(Files.list(store.partialDir())).isEmpty();
    }

    @Test
    void defaultsToQ4KMWhenTheRepoHasSeveralQuants() throws IOException {
        ModelManifest m = puller(null).pull("hf://test/Tiny-GGUF", PullListener.NONE);
        assertThat(m.files().getFirst().path()).isEqualTo("Tiny-Q4_K_M.gguf");
        assertThat(m.name()).isEqualTo("tiny:latest");
    }

    @Test
    void pullsAnExactFileAtACommit() throws IOException {
        String commit = hub.repos.get("test/Tiny-GGUF").commit();
        ModelManifest m = puller(null).pull("hf://test/Tiny-GGUF/Tiny-Q8_0.gguf@" + commit, PullListener.NONE);
        assertThat(m.revision()).isEqualTo(commit);
        assertThat(m.files().getFirst().path()).isEqualTo("Tiny-Q8_0.gguf");
    }

    @Test
    void doesNotSendTheTokenToTheCdn() throws IOException {
        puller("hf_test_token").pull("hf://test/Tiny-GGUF:Q8_0", PullListener.NONE);
        assertThat(hub.seen).filteredOn(s -> s.path().startsWith("/api/"))
                .allSatisfy(s -> assertThat(s.authorization()).isEqualTo("Bearer hf_test_token"));
        assertThat(hub.cdnRequests()).allSatisfy(s -> assertThat(s.authorization()).isNull());
    }

    @Test
    void pullsAllShardsOfASplitModelInOrder() throws IOException {
        List<byte[]> shards = TinyGguf.shards(7, 3);
        Map<String, byte[]> files = new LinkedHashMap<>();
        // listed out of order, in a folder, as large uploads are
        files.put("Big-Q4_K_M/Big-Q4_K_M-00002-of-00003.gguf", shards.get(1));
        files.put("Big-Q4_K_M/Big-Q4_K_M-00001-of-00003.gguf", shards.get(0));
        files.put("Big-Q4_K_M/Big-Q4_K_M-00003-of-00003.gguf", shards.get(2));
        files.put("Big-Q8_0.gguf", q8);
        hub.addRepo("test/Big-GGUF", false, files);

        ModelManifest m = puller(null).pull("hf://test/Big-GGUF:Q4_K_M", PullListener.NONE);

        assertThat(m.files()).extracting(ModelManifest.FileEntry::path).containsExactly(
                "Big-Q4_K_M/Big-Q4_K_M-00001-of-00003.gguf", "Big-Q4_K_M/Big-Q4_K_M-00002-of-00003.gguf",
                "Big-Q4_K_M/Big-Q4_K_M-00003-of-00003.gguf");
        assertThat(m.parameterCount()).isEqualTo(TinyGguf.parameterCount());
        ResolvedModel r = store.resolve(m.name());
        assertThat(Files.readAllBytes(r.path())).isEqualTo(shards.get(0));
        assertThat(r.shards()).hasSize(3);
        assertThat(Files.readAllBytes(r.shards().get(2))).isEqualTo(shards.get(2));
    }

    @Test
    void refusesASplitModelWithAMissingShard() throws IOException {
        List<byte[]> shards = TinyGguf.shards(7, 3);
        hub.addRepo("test/Broken-GGUF", false, Map.of("B-Q4_K_M-00001-of-00003.gguf", shards.get(0),
                "B-Q4_K_M-00003-of-00003.gguf", shards.get(2)));
        assertThatThrownBy(() -> puller(null).pull("hf://test/Broken-GGUF:Q4_K_M", PullListener.NONE))
                .isInstanceOf(HubException.class).hasMessageContaining("missing shard 2 of 3");
    }

    @Test
    void resumesWithRangeAfterTheProcessWasKilled() throws IOException {
        String sha = PartialDownload.sha256Hex(q8);
        // First process: dies after ~200 kB.
        assertThatThrownBy(() -> puller(null).pull("hf://test/Tiny-GGUF:Q8_0", e -> {
            if (e instanceof PullEvent.Progress p && p.fileBytes() >= 200_000) {
                throw new IllegalStateException("killed");
            }
        })).hasMessage("killed");
        assertThat(store.find("tiny:q8_0")).isEmpty();
        assertThat(store.list()).isEmpty();
        Path part = store.partialDir().resolve(sha + ".part");
        long kept = Files.size(part);
        assertThat(kept).isBetween(200_000L, (long) q8.length - 1);
        assertThat(store.partialDir().resolve(sha + ".json")).exists();

        // Second process: a new puller and client resume from the partial file.
        List<PullEvent> events = new ArrayList<>();
        ModelManifest m = puller(null).pull("hf://test/Tiny-GGUF:Q8_0", events::add);

        assertThat(events).filteredOn(e -> e instanceof PullEvent.FileStarted).singleElement()
                .satisfies(e -> assertThat(((PullEvent.FileStarted) e).resumedFrom()).isEqualTo(kept));
        assertThat(hub.rangesFor(sha)).containsExactly(null, "bytes=" + kept + "-");
        assertThat(Files.readAllBytes(store.resolve(m.name()).path())).isEqualTo(q8);
        assertThat(Files.list(store.partialDir())).isEmpty();
    }

    @Test
    void retriesADroppedConnectionFromWhereItStopped() throws IOException {
        String sha = PartialDownload.sha256Hex(q8);
        hub.dropHalfway.put(sha, new AtomicInteger(2));
        List<PullEvent> events = new ArrayList<>();
        ModelManifest m = puller(null).pull("hf://test/Tiny-GGUF:Q8_0", events::add);

        assertThat(events).filteredOn(e -> e instanceof PullEvent.Retrying).hasSize(2);
        List<String> ranges = hub.rangesFor(sha);
        assertThat(ranges).hasSize(3);
        assertThat(ranges.getFirst()).isNull();
        assertThat(ranges.get(1)).startsWith("bytes=").isNotEqualTo("bytes=0-");
        assertThat(Files.readAllBytes(store.resolve(m.name()).path())).isEqualTo(q8);
    }

    @Test
    void givesUpAfterTheLastAttemptAndKeepsThePartialForLater() throws IOException {
        String sha = PartialDownload.sha256Hex(q8);
        hub.dropHalfway.put(sha, new AtomicInteger(100));
        assertThatThrownBy(() -> puller(null).pull("hf://test/Tiny-GGUF:Q8_0", PullListener.NONE))
                .isInstanceOf(HubException.class).hasMessageContaining("after 4 attempts")
                .hasMessageContaining("resume");
        assertThat(store.list()).isEmpty();
        assertThat(store.partialDir().resolve(sha + ".part")).exists();
        hub.dropHalfway.clear();
        puller(null).pull("hf://test/Tiny-GGUF:Q8_0", PullListener.NONE);
        assertThat(store.find("tiny:q8_0")).isPresent();
    }

    @Test
    void retriesServerErrorsOnTheApi() throws IOException {
        hub.unavailable.set(3);
        assertThat(puller(null).pull("hf://test/Tiny-GGUF:Q8_0", PullListener.NONE).name()).isEqualTo("tiny:q8_0");
        hub.unavailable.set(100);
        assertThatThrownBy(() -> puller(null).pull("hf://test/Tiny-GGUF:Q8_0", PullListener.NONE))
                .isInstanceOf(HubException.class).hasMessageContaining("after 4 attempts")
                .hasMessageContaining("503");
    }

    @Test
    void rejectsAFileWhoseHashDoesNotMatchAndStoresNothing() throws IOException {
        String sha = PartialDownload.sha256Hex(q8);
        hub.corrupt.add(sha);
        assertThatThrownBy(() -> puller(null).pull("hf://test/Tiny-GGUF:Q8_0", PullListener.NONE))
                .isInstanceOf(HubException.class).hasMessageContaining("sha256 mismatch")
                .hasMessageContaining("Tiny-Q8_0.gguf").hasMessageContaining(sha);
        assertThat(store.list()).isEmpty();
        assertThat(store.blobPath(sha)).doesNotExist();
        assertThat(Files.list(store.partialDir())).isEmpty();
    }

    @Test
    void gatedRepoWithoutTokenSaysHowToGetAccess() throws IOException {
        hub.addRepo("meta/Gated-GGUF", true, Map.of("G-Q4_K_M.gguf", q4));
        assertThatThrownBy(() -> puller(null).pull("hf://meta/Gated-GGUF", PullListener.NONE))
                .isInstanceOf(HubException.class).hasMessageContaining("gated")
                .hasMessageContaining("HF_TOKEN").hasMessageContaining(hub.endpoint() + "/meta/Gated-GGUF");
        assertThatThrownBy(() -> puller("hf_wrong").pull("hf://meta/Gated-GGUF", PullListener.NONE))
                .isInstanceOf(HubException.class).hasMessageContaining("no access");
        ModelManifest m = puller("hf_test_token").pull("hf://meta/Gated-GGUF", PullListener.NONE);
        assertThat(m.files()).hasSize(1);
    }

    @Test
    void missingRepoRevisionAndQuantHaveClearErrors() {
        assertThatThrownBy(() -> puller("t").pull("hf://nobody/Nothing-GGUF", PullListener.NONE))
                .isInstanceOf(HubException.class).hasMessageContaining("repository not found");
        assertThatThrownBy(() -> puller(null).pull("hf://test/Tiny-GGUF@v9", PullListener.NONE))
                .isInstanceOf(HubException.class).hasMessageContaining("revision not found");
        assertThatThrownBy(() -> puller(null).pull("hf://test/Tiny-GGUF:Q5_K_M", PullListener.NONE))
                .isInstanceOf(HubException.class).hasMessageContaining("no Q5_K_M GGUF file")
                .hasMessageContaining("Q4_K_M, Q8_0");
        assertThatThrownBy(() -> puller(null).pull("hf://test/Tiny-GGUF/Other.gguf", PullListener.NONE))
                .isInstanceOf(HubException.class).hasMessageContaining("'Other.gguf' is not in test/Tiny-GGUF");
    }

    @Test
    void checksDiskSpaceBeforeDownloading() {
        HubSettings s = new HubSettings(hub.endpoint(), null, 4, Duration.ofMillis(5), Duration.ofSeconds(5));
        Puller tight = new Puller(store, new HfClient(s), dir -> Puller.DISK_MARGIN + 1000);
        assertThatThrownBy(() -> tight.pull("hf://test/Tiny-GGUF:Q8_0", PullListener.NONE))
                .isInstanceOf(HubException.class).hasMessageContaining("not enough disk space");
        assertThat(hub.cdnRequests()).isEmpty();
    }

    @Test
    void aSecondPullReusesStoredBlobs() throws IOException {
        puller(null).pull("hf://test/Tiny-GGUF:Q8_0", PullListener.NONE);
        List<PullEvent> events = new ArrayList<>();
        puller(null).pull("hf://test/Tiny-GGUF/Tiny-Q8_0.gguf", events::add);
        assertThat(hub.cdnRequests()).hasSize(1);
        assertThat(events).filteredOn(e -> e instanceof PullEvent.FileDone)
                .allSatisfy(e -> assertThat(((PullEvent.FileDone) e).alreadyPresent()).isTrue());
    }

    @Test
    void withoutLfsInfoTheLinkedEtagIsTheExpectedHash() throws IOException {
        hub.listWithoutLfs = true;
        ModelManifest m = puller(null).pull("hf://test/Tiny-GGUF:Q8_0", PullListener.NONE);
        assertThat(m.files().getFirst().sha256()).isEqualTo(PartialDownload.sha256Hex(q8));
        hub.corrupt.add(PartialDownload.sha256Hex(q4));
        assertThatThrownBy(() -> puller(null).pull("hf://test/Tiny-GGUF:Q4_K_M", PullListener.NONE))
                .isInstanceOf(HubException.class).hasMessageContaining("sha256 mismatch");
    }
}
