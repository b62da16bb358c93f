package dev.hearth.grammar;

import static dev.hearth.grammar.GrammarTestSupport.matches;
import static dev.hearth.grammar.GrammarTestSupport.prefix;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Lazy (triggered) grammars and linked grammars: free text until a trigger word, then only the trigger's rule. */
class TriggeredTextTest {
    static final Grammar CALL = GrammarLinker.link("root ::= text\n"
            + TriggeredText.rules("text", List.of(new TriggeredText.Trigger("<tc>", "call", false)), false)
            + "call ::= \"{\" [a-z]+ \"}\"\n", Map.of());

    @Test
    void freeTextUntilTheTriggerThenOnlyItsRule() {
        for (String free : List.of("", "hello", "a<t", "<", "<t", "tc>", "<tc", "<<t c>", "héllo 日本 ✓ 𝄞", "{x}")) {
            assertThat(matches(CALL, free)).as(free).isTrue();
        }
        for (String call : List.of("<tc>{ab}", "x<tc>{a}", "<<tc>{a}", "<t<tc>{z}", "<tc<tc>{q}")) {
            assertThat(matches(CALL, call)).as(call).isTrue();
        }
        assertThat(matches(CALL, "say <tc>")).isFalse();          // opened: the call must follow
        assertThat(prefix(CALL, "say <tc>{ab")).isTrue();
        assertThat(prefix(CALL, "say <tc>x")).isFalse();
        assertThat(prefix(CALL, "<tc>{a} more")).isFalse();       // the call ends the answer
        assertThat(prefix(CALL, "<tc>{a}<tc>")).isFalse();
    }

    @Test
    void tokensThatOpenTheCallWithABadTailAreMasked() {
        String[] texts = {"a", "<", "<tc>", "<tc>x", "<tc>{", "tc>", "c>{", "{", "}", "b", "hello <tc>{b}"};
        byte[][] pieces = new byte[texts.length + 1][];
        for (int i = 0; i < texts.length; i++) {
            pieces[i] = texts[i].getBytes(StandardCharsets.UTF_8);
        }
        int eog = texts.length;
        TokenVocabulary vocabulary = TokenVocabulary.of(pieces, new int[] {eog});
        GrammarMatcher m = new GrammarMatcher(CALL, vocabulary);
        // free: everything but the token that opens a call and goes on with 'x'
        for (int t = 0; t < texts.length; t++) {
            assertThat(m.isAllowed(t)).as(texts[t]).isEqualTo(!texts[t].equals("<tc>x"));
        }
        assertThat(m.isAllowed(eog)).isTrue();
        assertThat(m.accept(1)).isTrue();   // "<"
        assertThat(m.isAllowed(5)).isTrue(); // "tc>" completes the opener
        assertThat(m.isAllowed(6)).isTrue();  // "<c>{" is text
        assertThat(m.accept(5)).isTrue();
        assertThat(m.isAllowed(eog)).isFalse();
        assertThat(m.isAllowed(0)).isFalse();
        assertThat(m.isAllowed(7)).isTrue();  // "{"
        assertThat(m.accept(7) && m.accept(9) && m.accept(8)).isTrue(); // "{", "b", "}"
        assertThat(m.isComplete()).isTrue();
    }

    @Test
    void randomWalksAlwaysEndInText() {
        // a walk picks any allowed token; whatever it picks, the finished text is free text or text + one call
        String[] texts = {"a", "<", "<t", "<tc>", "<tc>{", "c>", ">{", "{", "}", "z", " ", "\n", "é", "\u00e9<tc"};
        byte[][] pieces = new byte[texts.length + 1][];
        for (int i = 0; i < texts.length; i++) {
            pieces[i] = texts[i].getBytes(StandardCharsets.UTF_8);
        }
        TokenVocabulary vocabulary = TokenVocabulary.of(pieces, new int[] {texts.length});
        CompiledGrammar compiled = new CompiledGrammar(CALL, vocabulary);
        Random random = new Random(7);
        int calls = 0;
        for (int walk = 0; walk < 500; walk++) {
            GrammarMatcher m = new GrammarMatcher(compiled);
            StringBuilder out = new StringBuilder();
            for (int step = 0; step < 60 && !m.isComplete(); step++) {
                List<Integer> allowed = new ArrayList<>();
                for (int t = 0; t <= texts.length; t++) {
                    if (m.isAllowed(t)) {
                        allowed.add(t);
                    }
                }
                int pick = allowed.get(random.nextInt(allowed.size()));
                if (pick == texts.length && step < 20 && allowed.size() > 1) {
                    continue;  // rather go on
                }
                assertThat(m.accept(pick)).isTrue();
                if (pick < texts.length) {
                    out.append(texts[pick]);
                }
            }
            String text = out.toString();
            int open = text.indexOf("<tc>");
            if (open >= 0 && m.isComplete()) {
                assertThat(text.substring(open)).matches("<tc>\\{[a-z]+}");
                calls++;
            } else if (open >= 0) {
                assertThat(text.substring(open)).matches("<tc>(\\{[a-z]*)?");
            }
        }
        assertThat(calls).isGreaterThan(20);
    }

    @Test
    void leadingTriggerCountsOnlyBeforeOtherText() {
        Grammar g = GrammarLinker.link("root ::= text\n" + TriggeredText.rules("text", List.of(
                new TriggeredText.Trigger("{", "obj", true), new TriggeredText.Trigger("<|tag|>", "obj", false)),
                false) + "obj ::= \"a}\"\n", Map.of());
        assertThat(matches(g, "{a}")).isTrue();
        assertThat(matches(g, " \n\t{a}")).isTrue();
        assertThat(matches(g, " {b")).isFalse();
        assertThat(prefix(g, "\u2003{b")).isFalse();           // em space is whitespace too
        assertThat(matches(g, "x {b} {")).isTrue();             // not leading: plain text
        assertThat(matches(g, "x <|tag|>a}")).isTrue();
        assertThat(matches(g, "x <|tag|>b}")).isFalse();
        assertThat(matches(g, "   ")).isTrue();
        assertThat(matches(g, "<|ta")).isTrue();
    }

    @Test
    void mustTriggerCannotEndEarly() {
        Grammar g = Grammar.compile("root ::= thought\n" + TriggeredText.rules("thought", List.of(
                new TriggeredText.Trigger("</t>", "done", false)), true) + "done ::= \"!\"\n");
        assertThat(matches(g, "abc")).isFalse();
        assertThat(matches(g, "abc</t>!")).isTrue();
        assertThat(matches(g, "</t>!")).isTrue();
        assertThat(matches(g, "<</t</t>!")).isTrue();
    }

    @Test
    void linkedGrammarsKeepTheirOwnRules() {
        Grammar integer = JsonSchemaGrammar.compile(Map.of("type", "integer", "minimum", 0, "maximum", 99));
        Grammar xs = Grammar.compile("root ::= x+\nx ::= \"x\"");
        Grammar g = GrammarLinker.link("root ::= \"[\" a \",\" b \"]\" | \"-\" b", Map.of("a", integer, "b", xs));
        assertThat(matches(g, "[12,xx]")).isTrue();
        assertThat(matches(g, "[0,x]")).isTrue();
        assertThat(matches(g, "-xxx")).isTrue();
        assertThat(matches(g, "[100,x]")).isFalse();
        assertThat(matches(g, "[1,]")).isFalse();
        assertThat(g.ruleCount()).isGreaterThan(integer.ruleCount() + xs.ruleCount());
        assertThatThrownBy(() -> GrammarLinker.link("root ::= a\na ::= \"z\"", Map.of("a", xs)))
                .isInstanceOf(GrammarException.class).hasMessageContaining("'a'");
        assertThatThrownBy(() -> new TriggeredText.Trigger("ab", "x", true))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
