package dev.hearth.server.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Python-Jinja features chat templates use, rendered as Python Jinja would. */
class ChatTemplateFeaturesTest {
    static final List<ChatMessage> MESSAGES = List.of(
            ChatMessage.system("  Be brief.  "), ChatMessage.user("<tool_response>x</tool_response>"),
            ChatMessage.assistant("<think>\nhmm\n</think>\n\nHello there"));

    static String render(String source) {
        return render(source, Map.of());
    }

    static String render(String source, Map<String, Object> vars) {
        Clock clock = Clock.fixed(Instant.parse("2026-11-26T08:00:00Z"), ZoneOffset.UTC);
        return new ChatTemplate("t", source, "<s>", "</s>", false, clock, ChatTemplate.Limits.defaults())
                .render(MESSAGES, null, true, vars);
    }

    @Test
    void pythonStringMethods() {
        assertThat(render("{{ messages[0].content.strip() }}|{{ messages[0].content.lstrip() }}|"
                + "{{ messages[0].content.rstrip() }}")).isEqualTo("Be brief.|Be brief.  |  Be brief.");
        assertThat(render("{{ messages[1].content.startswith('<tool_response>') }} "
                + "{{ messages[1].content.endswith('</tool_response>') }} {{ 'ab'.startswith('b') }}"))
                .isEqualTo("true true false");
        assertThat(render("{{ messages[2].content.split('</think>')[-1].lstrip('\\n') }}")).isEqualTo("Hello there");
        assertThat(render("{{ messages[2].content.split('</think>')[0].rstrip('\\n').split('<think>')[-1].lstrip('\\n') }}"))
                .isEqualTo("hmm");
        assertThat(render("{{ 'hello world'.title() }} {{ 'Ab'.upper() }} {{ 'Ab'.lower() }} {{ 'a.b.c'.replace('.', '/') }}"))
                .isEqualTo("Hello World AB ab a/b/c");
        assertThat(render("{{ '  a  b '.split() | length }} {{ 'xxhixx'.strip('x') }}")).isEqualTo("2 hi");
    }

    @Test
    void slicesAndTests() {
        assertThat(render("{% for m in messages[1:] %}{{ m.role }},{% endfor %}")).isEqualTo("user,assistant,");
        assertThat(render("{% for m in messages[::-1] %}{{ m.role }},{% endfor %}")).isEqualTo("assistant,user,system,");
        assertThat(render("{% set s = 'abcdef' %}{{ s[::2] }}{{ s[-2:] }}")).isEqualTo("aceef");
        assertThat(render("{{ messages[0] is mapping }} {{ 'x' is string }} {{ 'x' is iterable }} {{ messages is string }}"))
                .isEqualTo("true true true false");
        assertThat(render("{% if not messages|length == 1 %}many{% endif %}")).isEqualTo("many");
    }

    @Test
    void namespaceLoopControlsAndItems() {
        assertThat(render("{% set ns = namespace(n=messages|length - 1) %}{% for m in messages %}"
                + "{% if m.role == 'user' %}{% set ns.n = loop.index0 %}{% endif %}{% endfor %}{{ ns.n }}"))
                .isEqualTo("1");
        assertThat(render("{% for m in messages %}{% if loop.index0 == 1 %}{% continue %}{% endif %}"
                + "{% if loop.index0 == 2 %}{% break %}{% endif %}{{ m.role }}{% endfor %}")).isEqualTo("system");
        assertThat(render("{% for k, v in messages[1].items() %}{{ k }}={{ v|length }};{% endfor %}"))
                .isEqualTo("role=4;content=32;");
    }

    @Test
    void toJsonLikePython() {
        Map<String, Object> vars = Map.of("x", Map.of("a", List.of(1, 2.5, "é\"\n", true)));
        assertThat(render("{{ x | tojson }}", vars)).isEqualTo("{\"a\": [1, 2.5, \"é\\\"\\n\", true]}");
        assertThat(render("{{ x | tojson(indent=2) }}", vars))
                .isEqualTo("{\n  \"a\": [\n    1,\n    2.5,\n    \"é\\\"\\n\",\n    true\n  ]\n}");
        assertThat(render("{{ {} | tojson }} {{ [] | tojson }}")).isEqualTo("{} []");
    }

    @Test
    void strftimeNowUsesInjectedClock() {
        assertThat(render("{% if strftime_now is defined %}{{ strftime_now('%d %b %Y') }} {{ strftime_now('%Y-%m-%d %A %B') }}{% endif %}"))
                .isEqualTo("26 Nov 2026 2026-11-26 Thursday November");
    }

    @Test
    void whitespaceControlAsJinjaWithTrimAndLstripBlocks() {
        assertThat(render("a\n  {% if true %}\nb\n  {% endif %}\nc  {{- ' d' -}}  \n e")).isEqualTo("a\nb\nc de");
        assertThat(render("{# comment #}x{#- c -#}  y")).isEqualTo("xy");
        assertThat(render("x\n")).isEqualTo("x");
    }

    @Test
    void bosIsStrippedOnlyWhenTheModelAddsIt() {
        List<ChatMessage> hi = List.of(ChatMessage.user("hi"));
        String source = "{{ bos_token }}[INST] {{ messages[0].content }}";
        assertThat(new ChatTemplate("m", source, "<s>", "</s>", true).render(hi, true)).isEqualTo("[INST] hi");
        assertThat(new ChatTemplate("m", source, "<s>", "</s>", false).render(hi, true)).isEqualTo("<s>[INST] hi");
    }

    @Test
    void familyFallbacks() {
        List<ChatMessage> conversation = List.of(ChatMessage.system("S"), ChatMessage.user("U"),
                ChatMessage.assistant("A"), ChatMessage.user("V"));
        assertThat(new ChatTemplate("q", FallbackTemplates.forFamily("qwen2", "gpt2"), "", "<|im_end|>", false)
                .render(conversation, true))
                .isEqualTo("<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\nA"
                        + "<|im_end|>\n<|im_start|>user\nV<|im_end|>\n<|im_start|>assistant\n");
        assertThat(new ChatTemplate("l", FallbackTemplates.forFamily("llama", "gpt2"), "<|begin_of_text|>",
                "<|eot_id|>", true).render(List.of(ChatMessage.user(" U ")), true))
                .isEqualTo("<|start_header_id|>user<|end_header_id|>\n\nU<|eot_id|>"
                        + "<|start_header_id|>assistant<|end_header_id|>\n\n");
        assertThat(new ChatTemplate("m", FallbackTemplates.forFamily("llama", "llama"), "<s>", "</s>", true)
                .render(conversation, true))
                .isEqualTo(" [INST] S\n\nU [/INST] A</s> [INST] V [/INST]");
    }
}
