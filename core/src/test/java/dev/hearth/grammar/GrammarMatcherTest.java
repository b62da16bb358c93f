package dev.hearth.grammar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.sampling.GrammarSampler;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The token mask against a brute-force oracle (every token's bytes tried one by one) on the real Qwen 2.5
 * vocabulary, and random walks through the mask whose finished outputs must validate against their schema.
 */
class GrammarMatcherTest {
    static final String QWEN = "qwen2-fx-Q8_0.gguf";
    static final java.util.Map<TokenVocabulary, BitSet> EOG = new java.util.concurrent.ConcurrentHashMap<>();

    static BitSet bruteForce(GrammarMatcher m, TokenVocabulary v) {
        BitSet allowed = new BitSet(v.size());
        for (int t = 0; t < v.size(); t++) {
            byte[] piece = v.piece(t);
            if (v.isEndOfGeneration(t) ? m.canEnd() : piece.length > 0 && m.wouldAccept(piece)) {
                allowed.set(t);
            }
        }
        return allowed;
    }

    static BitSet mask(GrammarMatcher m, TokenVocabulary v) {
        long[] words = new long[(v.size() + 63) / 64];
        m.fillMask(words);
        return BitSet.valueOf(words);
    }

    /** Walks the grammar picking uniformly among allowed tokens; returns the bytes, or null when not finished. */
    static byte[] walk(CompiledGrammar g, long seed, int maxTokens, boolean checkOracle) {
        TokenVocabulary v = g.vocabulary();
        GrammarMatcher m = new GrammarMatcher(g);
        Random random = new Random(seed);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int step = 0; step < maxTokens; step++) {
            BitSet allowed = mask(m, v);
            if (checkOracle) {
                assertThat(allowed).as("mask at step %d after '%s'", step, out.toString(StandardCharsets.UTF_8))
                        .isEqualTo(bruteForce(m, v));
            }
            BitSet eog = EOG.computeIfAbsent(v, TokenVocabulary::endOfGenerationIds);
            BitSet nonEog = (BitSet) allowed.clone();
            nonEog.andNot(eog);
            assertThat(allowed.intersects(eog)).as("EOG allowed exactly when the grammar can end").isEqualTo(m.canEnd());
            if (m.isComplete()) {
                assertThat(nonEog.isEmpty()).as("complete: only EOG").isTrue();
            }
            assertThat(allowed.isEmpty()).as("something is always allowed").isFalse();
            // end as soon as possible half of the time, so that walks finish
            if (m.canEnd() && (nonEog.isEmpty() || random.nextInt(4) == 0)) {
                assertThat(m.accept(eog.nextSetBit(0))).isTrue();
                return out.toByteArray();
            }
            int pick = pickAmong(nonEog, random);
            assertThat(m.accept(pick)).isTrue();
            out.writeBytes(v.piece(pick));
        }
        return null;
    }

    /** Uniform among allowed tokens (skipping whole words of the bit set). */
    static int pickAmong(BitSet allowed, Random random) {
        long[] words = allowed.toLongArray();
        int target = random.nextInt(allowed.cardinality());
        for (int w = 0; ; w++) {
            int c = Long.bitCount(words[w]);
            if (target < c) {
                long word = words[w];
                for (int k = 0; k < target; k++) {
                    word &= word - 1;
                }
                return w * 64 + Long.numberOfTrailingZeros(word);
            }
            target -= c;
        }
    }

    @Test
    void maskEqualsBruteForceOnQwenVocabulary() {
        TokenVocabulary v = GrammarTestSupport.vocabulary(QWEN);
        assertThat(v.size()).isGreaterThan(150_000);
        for (int s = 0; s < SchemaCorpus.SCHEMAS.size(); s++) {
            Grammar g = JsonSchemaGrammar.compile(SchemaCorpus.parse(SchemaCorpus.SCHEMAS.get(s)));
            walk(new CompiledGrammar(g, v), s, 12, true);
        }
        walk(new CompiledGrammar(Grammar.jsonObject(), v), 99, 12, true);
    }

    @Test
    void finishedRandomWalksValidate() {
        TokenVocabulary v = GrammarTestSupport.vocabulary(QWEN);
        int finished = 0;
        int total = 0;
        for (int s = 0; s < SchemaCorpus.SCHEMAS.size(); s++) {
            String schema = SchemaCorpus.SCHEMAS.get(s);
            CompiledGrammar g = new CompiledGrammar(JsonSchemaGrammar.compile(SchemaCorpus.parse(schema)), v);
            for (int seed = 0; seed < 12; seed++) {
                total++;
                byte[] out = walk(g, seed * 31L + s, 400, false);
                if (out != null) {
                    finished++;
                    String text = new String(out, StandardCharsets.UTF_8);
                    assertThat(SchemaCorpus.validate(schema, text)).as("schema %d output %s", s, text).isEmpty();
                }
            }
        }
        System.out.printf("random walks: %d of %d finished, all valid%n", finished, total);
        assertThat(finished).isGreaterThan(total / 3);
    }

    @Test
    void tokensSpanningTerminalsAndSplitCharacters() {
        // tokens: '{"', 'a":', '1}', the two bytes of 'é' apart, and EOG
        byte[] e = "é".getBytes(StandardCharsets.UTF_8);
        byte[][] pieces = {"{\"".getBytes(), "a\":".getBytes(), "1}".getBytes(), {e[0]}, {e[1]}, "\"}".getBytes(),
            "x".getBytes(), new byte[0]};
        TokenVocabulary v = TokenVocabulary.of(pieces, new int[] {7});
        Grammar g = Grammar.compile("root ::= \"{\\\"a\\\":\" ( [0-9] | \"\\\"\" [é]+ \"\\\"\" ) \"}\"");
        GrammarMatcher m = new GrammarMatcher(g, v);
        assertThat(mask(m, v)).isEqualTo(bits(0));
        assertThat(m.accept(1)).isFalse();
        assertThat(m.accept(0)).isTrue();
        assertThat(mask(m, v)).isEqualTo(bits(1));
        assertThat(m.accept(1)).isTrue();
        assertThat(mask(m, v)).isEqualTo(bits(2)); // a digit then '}'; no token is a lone quote
        assertThat(m.accept(0)).isFalse(); // '{' is not a digit or a quote
        GrammarMatcher digits = new GrammarMatcher(g, v);
        digits.accept(0);
        digits.accept(1);
        assertThat(digits.accept(2)).isTrue();
        assertThat(digits.isComplete()).isTrue();
        assertThat(mask(digits, v)).isEqualTo(bits(7));
        assertThat(digits.accept(7)).isTrue();
        // through the string: the first byte of é, then only its second byte, then é or the closing quote
        assertThat(m.acceptBytes("\"".getBytes())).isTrue();
        assertThat(mask(m, v)).isEqualTo(bits(3));
        assertThat(m.accept(3)).isTrue();
        assertThat(mask(m, v)).isEqualTo(bits(4));
        assertThat(m.accept(4)).isTrue();
        assertThat(mask(m, v)).isEqualTo(bits(3, 5));
        assertThat(m.canEnd()).isFalse();
        assertThat(m.accept(7)).as("EOG before the end").isFalse();
    }

    @Test
    void applyMaskSetsOnlyDisallowedToMinusInfinity() {
        TokenVocabulary v = GrammarTestSupport.vocabulary(QWEN);
        GrammarMatcher m = new GrammarMatcher(Grammar.jsonObject(), v);
        int padded = v.size() + 100;
        for (String prefix : new String[] {"", "{\"ab", "{\"a\": [1, 2"}) {
            m.acceptBytes(prefix.getBytes(StandardCharsets.UTF_8));
            float[] logits = new float[padded + 7];
            java.util.Arrays.fill(logits, 1.5f);
            m.applyMask(logits, 7, padded);
            BitSet allowed = mask(m, v);
            for (int t = 0; t < padded; t++) {
                float expected = t < v.size() && allowed.get(t) ? 1.5f : Float.NEGATIVE_INFINITY;
                assertThat(logits[7 + t]).as("token %d after '%s'", t, prefix).isEqualTo(expected);
            }
            assertThat(logits[6]).isEqualTo(1.5f);
        }
    }

    @Test
    void samplerPicksOnlyAllowedTokensAndFallsBackWhenTheirLogitsAreMinusInfinity() {
        byte[][] pieces = {"x".getBytes(), "a".getBytes(), "b".getBytes(), new byte[0]};
        TokenVocabulary v = TokenVocabulary.of(pieces, new int[] {3});
        Grammar g = Grammar.compile("root ::= \"a\" \"b\"?");
        GrammarSampler sampler = new GrammarSampler(dev.hearth.sampling.TokenSampler.greedy(), new GrammarMatcher(g, v));
        float[] logits = {9f, 1f, 5f, 7f};
        assertThat(sampler.sample(logits, 0, 4, new int[0], 0)).isEqualTo(1); // 'x', 'b' and EOG are masked
        assertThat(logits).containsExactly(Float.NEGATIVE_INFINITY, 1f, Float.NEGATIVE_INFINITY,
                Float.NEGATIVE_INFINITY);
        float[] next = {9f, 8f, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY};
        // greedy sees only -inf and returns id 0, which the grammar refuses: the first allowed token is taken
        assertThat(sampler.sample(next, 0, 4, new int[0], 0)).isEqualTo(2);
        assertThat(sampler.matcher().isComplete()).isTrue();
        assertThat(sampler.sample(new float[] {1f, 1f, 1f, 0f}, 0, 4, new int[0], 0)).isEqualTo(3);
    }

    static BitSet bits(int... ids) {
        BitSet b = new BitSet();
        for (int id : ids) {
            b.set(id);
        }
        return b;
    }
}
