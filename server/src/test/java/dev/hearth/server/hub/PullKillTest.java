package dev.hearth.server.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A pull in another JVM is killed with SIGKILL mid-download; a new pull resumes from its partial file. */
class PullKillTest {
    @TempDir
    Path home;

    @Test
    void resumesAfterTheDownloadingProcessIsKilled() throws Exception {
        byte[] model = TinyGguf.model(11);
        String sha = PartialDownload.sha256Hex(model);
        try (FakeHub hub = new FakeHub()) {
            hub.addRepo("test/Kill-GGUF", false, Map.of("Kill-Q8_0.gguf", model));
            hub.cdnPauseMillis = 100; // ~3 s for the 2 MB file

            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector",
                    "-Dhearth.home=" + home, "-Dhearth.hf.endpoint=" + hub.endpoint(),
                    "-cp", System.getProperty("java.class.path"), "dev.hearth.server.cli.Main",
                    "pull", "--plain", "hf://test/Kill-GGUF:Q8_0"));
            Process child = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(home.resolve("child.log").toFile()).start();
            Path part = home.resolve("partial").resolve(sha + ".part");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!(Files.exists(part) && Files.size(part) >= 300_000)) {
                assertThat(child.isAlive()).as("child ended early: " + log()).isTrue();
                assertThat(System.nanoTime()).as("child made no progress: " + log()).isLessThan(deadline);
                Thread.sleep(20);
            }
            child.destroyForcibly(); // SIGKILL: no shutdown hooks, no cleanup
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            long kept = Files.size(part);
            assertThat(kept).isLessThan(model.length);
            assertThat(new ModelStore(home).list()).isEmpty();

            hub.cdnPauseMillis = 0;
            ModelStore store = new ModelStore(home);
            HubSettings s = new HubSettings(hub.endpoint(), null, 3, Duration.ofMillis(5), Duration.ofSeconds(5));
            List<PullEvent> events = new ArrayList<>();
            new Puller(store, new HfClient(s)).pull("hf://test/Kill-GGUF:Q8_0", events::add);

            long resumedFrom = events.stream().filter(e -> e instanceof PullEvent.FileStarted)
                    .mapToLong(e -> ((PullEvent.FileStarted) e).resumedFrom()).findFirst().orElseThrow();
            assertThat(resumedFrom).isEqualTo(kept);
            assertThat(hub.rangesFor(sha).getLast()).isEqualTo("bytes=" + kept + "-");
            assertThat(Files.readAllBytes(store.resolve("kill:q8_0").path())).isEqualTo(model);
        }
    }

    private String log() {
        try {
            return Files.readString(home.resolve("child.log"));
        } catch (Exception e) {
            return "(no log)";
        }
    }

    @Test
    void twoPullsOfTheSameFileDoNotShareAPartialFile() throws Exception {
        byte[] model = TinyGguf.model(12);
        try (FakeHub hub = new FakeHub()) {
            hub.addRepo("test/Two-GGUF", false, Map.of("Two-Q8_0.gguf", model));
            HubSettings s = new HubSettings(hub.endpoint(), null, 3, Duration.ofMillis(5), Duration.ofSeconds(5));
            ModelStore store = new ModelStore(home);
            CountDownLatch firstIsDownloading = new CountDownLatch(1);
            CountDownLatch secondTried = new CountDownLatch(1);
            Thread first = Thread.ofPlatform().start(() -> {
                try {
                    new Puller(store, new HfClient(s)).pull("hf://test/Two-GGUF:Q8_0", e -> {
                        if (e instanceof PullEvent.Progress) {
                            firstIsDownloading.countDown();
                            try {
                                secondTried.await(30, TimeUnit.SECONDS);
                            } catch (InterruptedException ie) {
                                Thread.currentThread().interrupt();
                            }
                        }
                    });
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            assertThat(firstIsDownloading.await(30, TimeUnit.SECONDS)).isTrue();
            assertThatThrownBy(() -> new Puller(store, new HfClient(s)).pull("hf://test/Two-GGUF:Q8_0",
                    PullListener.NONE)).isInstanceOf(HubException.class).hasMessageContaining("another pull");
            secondTried.countDown();
            first.join(30_000);
            assertThat(Files.readAllBytes(store.resolve("two:q8_0").path())).isEqualTo(model);
            assertThat(new File(store.partialDir().toString()).list()).isEmpty();
        }
    }
}
