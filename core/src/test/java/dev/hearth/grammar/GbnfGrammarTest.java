package dev.hearth.grammar;

import static dev.hearth.grammar.GrammarTestSupport.matches;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** GBNF parsing and byte-level matching, with java.util.regex as the oracle on random strings. */
class GbnfGrammarTest {

    /** Every random string over the alphabet matches the grammar exactly when it matches the regex. */
    static void agreesWithRegex(String gbnf, String regex, String alphabet, int maxLength) {
        Grammar g = Grammar.compile(gbnf);
        Pattern p = Pattern.compile(regex, Pattern.DOTALL);
        Random random = new Random(gbnf.hashCode());
        int[] cps = alphabet.codePoints().toArray();
        int positives = 0;
        for (int i = 0; i < 3000; i++) {
            StringBuilder s = new StringBuilder();
            int n = random.nextInt(maxLength + 1);
            for (int k = 0; k < n; k++) {
                s.appendCodePoint(cps[random.nextInt(cps.length)]);
            }
            boolean expected = p.matcher(s).matches();
            positives += expected ? 1 : 0;
            assertThat(matches(g, s.toString())).as("'%s' against %s", s, regex).isEqualTo(expected);
        }
        assertThat(positives).as("the random strings include matches of " + regex).isGreaterThan(10);
    }

    @Test
    void repetitionsGroupsAndAlternatives() {
        agreesWithRegex("root ::= (\"ab\" | [c-e])* \"x\"?", "(?:ab|[c-e])*x?", "abcdex", 6);
        agreesWithRegex("root ::= [a-c]+ \"-\" [0-9]{2,3}", "[a-c]+-[0-9]{2,3}", "ab-09", 6);
        agreesWithRegex("root ::= \"a\"{3} | \"b\"{1,} | \"c\"{,2}", "a{3}|b+|c{0,2}", "abc", 5);
        agreesWithRegex("root ::= (x y)? z\nx ::= \"1\"\ny ::= [^0-8]\nz ::= .", "(?:1[^0-8])?.", "0189z", 4);
    }

    @Test
    void multiByteClassesMatchCodePointsNotBytes() {
        agreesWithRegex("root ::= [a-zé-ü€]* [^a-zé]", "[a-zé-ü€]*[^a-zé]", "aéöü€😀x", 5);
        agreesWithRegex("root ::= \"\\u00e9\" \"\\U0001F600\"+ \"\\x41\"", "é😀+A", "é😀A", 5);
    }

    @Test
    void commentsNewlinesAndEscapes() {
        String gbnf = """
                # a comment line
                root ::= item ( "," # after the comma
                    item )*   # trailing
                item ::= "\\"" [^"\\\\\\n]* "\\""
                    | "\\t"
                """;
        Grammar g = Grammar.compile(gbnf);
        assertThat(matches(g, "\"a b\",\t,\"\"")).isTrue();
        assertThat(matches(g, "\"a\\\"")).isFalse();
        assertThat(matches(g, "\"a\nb\"")).isFalse();
    }

    @Test
    void clearErrors() {
        assertThatThrownBy(() -> Grammar.compile("root ::= foo")).isInstanceOf(GrammarException.class)
                .hasMessageContaining("'foo' is used but never defined");
        assertThatThrownBy(() -> Grammar.compile("item ::= \"a\"")).hasMessageContaining("no rule 'root'");
        assertThatThrownBy(() -> Grammar.compile("root ::= root \"a\" | \"b\""))
                .hasMessageContaining("'root' is left-recursive");
        assertThatThrownBy(() -> Grammar.compile("root ::= (\"a\"?)*")).hasMessageContaining("left-recursive");
        assertThatThrownBy(() -> Grammar.compile("root ::= \"a\"\nroot ::= \"b\""))
                .hasMessageContaining("defined twice");
        assertThatThrownBy(() -> Grammar.compile("root ::= \"a\n")).hasMessageContaining("line 1")
                .hasMessageContaining("unterminated string literal");
        assertThatThrownBy(() -> Grammar.compile("root ::= \"a\"\n  x ::= [b")).hasMessageContaining("line 2, column")
                .hasMessageContaining("unterminated character class");
        assertThatThrownBy(() -> Grammar.compile("root ::= \"a\"{3,1}")).hasMessageContaining("max below min");
        assertThatThrownBy(() -> Grammar.compile("root ::= \"\\q\"")).hasMessageContaining("unknown escape");
    }

    @Test
    void utf8RangesEncodeExactlyTheCodePoints() {
        Random random = new Random(7);
        for (int trial = 0; trial < 200; trial++) {
            int a = random.nextInt(0x110000);
            int b = Math.min(0x10FFFF, a + random.nextInt(trial % 2 == 0 ? 300 : 200_000));
            var sequences = Utf8Ranges.split(a, b);
            for (int probe = 0; probe < 200; probe++) {
                int cp = probe % 3 == 0 ? a + random.nextInt(b - a + 1) : random.nextInt(0x110000);
                if (cp >= 0xD800 && cp <= 0xDFFF) {
                    continue;
                }
                byte[] bytes = new String(Character.toChars(cp)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                int hits = 0;
                for (var s : sequences) {
                    boolean all = s.lows().length == bytes.length;
                    for (int i = 0; all && i < bytes.length; i++) {
                        all = (bytes[i] & 0xFF) >= s.lows()[i] && (bytes[i] & 0xFF) <= s.highs()[i];
                    }
                    hits += all ? 1 : 0;
                }
                assertThat(hits).as("U+%X in [%X, %X]", cp, a, b).isEqualTo(cp >= a && cp <= b ? 1 : 0);
            }
        }
    }
}
