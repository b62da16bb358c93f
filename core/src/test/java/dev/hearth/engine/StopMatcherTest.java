package dev.hearth.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopMatcherTest {
    @Test
    void holdsBackPartialMatchesAndCutsAtTheStop() {
        StopMatcher m = new StopMatcher(List.of("</end>", "STOP"));
        assertThat(m.accept("hello <")).isEqualTo("hello ");
        assertThat(m.accept("/e")).isEmpty();
        assertThat(m.accept("x")).isEqualTo("</ex");
        assertThat(m.accept(" S")).isEqualTo(" ");
        assertThat(m.accept("TO")).isEmpty();
        assertThat(m.accept("P and more")).isEmpty();
        assertThat(m.stopped()).isTrue();
        assertThat(m.flush()).isEmpty();
    }

    @Test
    void flushReleasesHeldTextWhenNoStopCame() {
        StopMatcher m = new StopMatcher(List.of("###"));
        assertThat(m.accept("a#")).isEqualTo("a");
        assertThat(m.accept("#")).isEmpty();
        assertThat(m.flush()).isEqualTo("##");
    }

    @Test
    void earliestStopWins() {
        StopMatcher m = new StopMatcher(List.of("bc", "ab"));
        assertThat(m.accept("xabc")).isEqualTo("x");
    }
}
