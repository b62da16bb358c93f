package dev.hearth.server.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Hostile templates are stopped within a second with a clear error; no file or Java object is reachable. */
class ChatTemplateSandboxTest {
    static final List<ChatMessage> HELLO = List.of(ChatMessage.user("hello"));

    static ChatTemplate template(String source) {
        return new ChatTemplate("hostile-model", source, "<s>", "</s>", false);
    }

    static void assertStopsQuickly(String source, String messagePart) {
        long start = System.nanoTime();
        assertThatThrownBy(() -> template(source).render(HELLO, true))
                .isInstanceOf(ChatTemplateException.class)
                .hasMessageContaining("hostile-model")
                .hasMessageContaining(messagePart);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(millis).as("milliseconds until stopped").isLessThan(1000);
    }

    @Test
    void endlessNestedLoopIsStopped() {
        assertStopsQuickly("{% for i in range(100000) %}{% for j in range(100000) %}{% for k in range(100000) %}"
                + "{% set x = i %}{% endfor %}{% endfor %}{% endfor %}", "stopped");
    }

    @Test
    void gigabyteOfOutputIsStopped() {
        assertStopsQuickly("{% for i in range(100000) %}{% for j in range(100000) %}"
                + "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                + "{% endfor %}{% endfor %}", "");
    }

    @Test
    void doublingStringIsStopped() {
        assertStopsQuickly("{% set s = 'xxxxxxxx' %}{% for i in range(60) %}{% set s = s ~ s %}{% endfor %}{{ s }}",
                "");
    }

    @Test
    void deepRecursionIsStopped() {
        assertStopsQuickly("{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}", "");
    }

    @Test
    void javaMethodsAreNotReachable() {
        assertStopsQuickly("{{ messages.getClass() }}", "getClass");
        assertStopsQuickly("{{ messages[0].content.getClass().getName() }}", "getClass");
        assertThat(template("[{{ messages[0].content.class }}]").render(HELLO, false)).isEqualTo("[]");
    }

    @Test
    void filesAreNotReachable() {
        assertStopsQuickly("{% include 'META-INF/MANIFEST.MF' %}", "");
        assertStopsQuickly("{% import 'x.jinja' as x %}", "");
    }

    @Test
    void raiseExceptionNamesModelAndCause() {
        assertStopsQuickly("{{ raise_exception('roles must alternate') }}", "the template raised: roles must alternate");
    }

    @Test
    void syntaxErrorNamesModelAndCause() {
        assertStopsQuickly("{% if %}x{% endif %}", "");
        assertStopsQuickly("{{ messages[0].content.startswith( }}", "");
    }

    @Test
    void callerValuesMustBePlain() {
        assertThatThrownBy(() -> template("x").render(HELLO, null, true, Map.of("clock", new Object())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("clock");
    }
}
