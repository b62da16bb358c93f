package dev.hearth.grammar;

import java.util.List;

/**
 * A compiled context-free grammar over bytes: immutable and shareable across threads and sequences. Build one from
 * GBNF text ({@link #compile}), from a JSON schema ({@link JsonSchemaGrammar#compile}) or take {@link #jsonObject()};
 * then match tokens with a {@link GrammarMatcher} per sequence.
 *
 * <p>The rules are flattened into one program: position p holds {@link #END} (an alternative ends), {@link #BYTES}
 * (one byte from the set {@code args[p]}) or {@link #REF} (the rule {@code args[p]}).
 */
public final class Grammar {
    static final byte END = 0;
    static final byte BYTES = 1;
    static final byte REF = 2;

    final byte[] kinds;
    final int[] args;
    /** Byte sets, 4 longs each. */
    final long[] byteSets;
    /** rule id -> start positions of its alternatives. */
    final int[][] alternatives;
    final String[] ruleNames;
    final int root;
    private final String source;

    private Grammar(byte[] kinds, int[] args, long[] byteSets, int[][] alternatives, String[] ruleNames, int root,
            String source) {
        this.kinds = kinds;
        this.args = args;
        this.byteSets = byteSets;
        this.alternatives = alternatives;
        this.ruleNames = ruleNames;
        this.root = root;
        this.source = source;
    }

    /** Approximate heap bytes of the compiled rules and their source text (for byte-bounded caches). */
    public long estimatedBytes() {
        long bytes = 64L + kinds.length + 4L * args.length + 8L * byteSets.length + 2L * source.length();
        for (int[] alternative : alternatives) {
            bytes += 16 + 4L * alternative.length;
        }
        for (String name : ruleNames) {
            bytes += 56 + (name == null ? 0 : name.length());
        }
        return bytes;
    }

    /** Compiles llama.cpp GBNF text whose start rule is {@code root}. */
    public static Grammar compile(String gbnf) {
        return compile(gbnf, "root");
    }

    public static Grammar compile(String gbnf, String rootRule) {
        ParsedRules parsed = GbnfParser.parse(gbnf, rootRule);
        return flatten(parsed.names(), parsed.rules(), parsed.sets(), parsed.root(), gbnf);
    }

    /** Any JSON object (OpenAI's {@code response_format: json_object}). */
    public static Grammar jsonObject() {
        return Holder.JSON_OBJECT;
    }

    private static final class Holder {
        static final Grammar JSON_OBJECT = compile(JsonGrammarRules.JSON_OBJECT);
    }

    /** The GBNF text this grammar was compiled from (for JSON schemas, the generated text). */
    public String gbnf() {
        return source;
    }

    public int ruleCount() {
        return ruleNames.length;
    }

    boolean contains(int set, int b) {
        return (byteSets[set * 4 + (b >> 6)] >>> (b & 63) & 1L) != 0;
    }

    static Grammar flatten(List<String> names, List<List<int[]>> rules, List<long[]> sets, int root, String source) {
        int size = 0;
        for (List<int[]> alts : rules) {
            for (int[] alt : alts) {
                size += alt.length + 1;
            }
        }
        byte[] kinds = new byte[size];
        int[] args = new int[size];
        int[][] alternatives = new int[rules.size()][];
        int p = 0;
        for (int r = 0; r < rules.size(); r++) {
            List<int[]> alts = rules.get(r);
            alternatives[r] = new int[alts.size()];
            for (int a = 0; a < alts.size(); a++) {
                alternatives[r][a] = p;
                for (int symbol : alts.get(a)) {
                    kinds[p] = GrammarSymbol.isRef(symbol) ? REF : BYTES;
                    args[p++] = GrammarSymbol.target(symbol);
                }
                kinds[p] = END;
                args[p++] = r;
            }
        }
        long[] bits = new long[sets.size() * 4];
        for (int i = 0; i < sets.size(); i++) {
            System.arraycopy(sets.get(i), 0, bits, i * 4, 4);
        }
        return new Grammar(kinds, args, bits, alternatives, names.toArray(String[]::new), root, source);
    }

    @Override
    public String toString() {
        return "Grammar[" + ruleNames.length + " rules, root " + ruleNames[root] + "]";
    }
}
