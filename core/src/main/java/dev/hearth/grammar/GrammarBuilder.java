package dev.hearth.grammar;

import static dev.hearth.grammar.GrammarSymbol.ref;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects rules on bytes while a grammar is parsed: each rule is a list of alternatives, each alternative a
 * sequence of symbols ({@link GrammarSymbol}): a set of bytes ({@link #bytes}) or a reference to a rule. Character
 * classes are lowered to UTF-8 byte sequences and repetitions to helper rules here; {@link #build} checks the rules
 * (defined, reachable from the root, no left recursion) for {@link Grammar} to flatten.
 */
final class GrammarBuilder {
    private final List<String> names = new ArrayList<>();
    private final Map<String, Integer> ids = new HashMap<>();
    private final List<List<int[]>> definitions = new ArrayList<>();
    private final List<long[]> sets = new ArrayList<>();
    private final Map<List<Long>, Integer> setIds = new HashMap<>();
    private final Map<String, Integer> helperCounts = new HashMap<>();

    /** The symbol for the set of bytes {@code bits} (4 longs, bit b = byte b). */
    int bytes(long[] bits) {
        List<Long> key = List.of(bits[0], bits[1], bits[2], bits[3]);
        Integer id = setIds.get(key);
        if (id == null) {
            id = sets.size();
            sets.add(bits.clone());
            setIds.put(key, id);
        }
        return GrammarSymbol.byteSet(id);
    }

    int byteRange(int low, int high) {
        long[] bits = new long[4];
        for (int b = low; b <= high; b++) {
            bits[b >> 6] |= 1L << (b & 63);
        }
        return bytes(bits);
    }

    /** The id of the rule named {@code name}, created undefined when new. */
    int rule(String name) {
        Integer id = ids.get(name);
        if (id == null) {
            id = names.size();
            names.add(name);
            definitions.add(null);
            ids.put(name, id);
        }
        return id;
    }

    /** A fresh helper rule named after its parent ({@code parent_1}, {@code parent_2}, ...). */
    int helper(String parent) {
        int n;
        String name;
        do {
            n = helperCounts.merge(parent, 1, Integer::sum);
            name = parent + "_" + n;
        } while (ids.containsKey(name));
        return rule(name);
    }

    boolean isDefined(String name) {
        Integer id = ids.get(name);
        return id != null && definitions.get(id) != null;
    }

    void define(int rule, List<int[]> alternatives) {
        if (definitions.get(rule) != null) {
            throw new GrammarException("rule '" + names.get(rule) + "' is defined twice");
        }
        definitions.set(rule, List.copyOf(alternatives));
    }

    /** Appends the UTF-8 bytes of {@code codePoint} as symbols. */
    void literal(int codePoint, IntListBuilder out) {
        byte[] encoded = new String(Character.toChars(codePoint)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (byte b : encoded) {
            out.add(byteRange(b & 0xFF, b & 0xFF));
        }
    }

    /**
     * The symbol matching one code point of the sorted, merged ranges {@code ranges} (pairs from, to), negated when
     * asked: a byte set when every range is ASCII, else a helper rule of UTF-8 byte sequences.
     */
    int charClass(String parent, List<int[]> ranges, boolean negated) {
        List<int[]> merged = CodePointSet.normalize(ranges);
        if (negated) {
            merged = CodePointSet.complement(merged);
        }
        if (merged.isEmpty()) {
            throw new GrammarException("character class in rule '" + parent + "' matches nothing");
        }
        List<Utf8Ranges.Sequence> sequences = new ArrayList<>();
        for (int[] r : merged) {
            Utf8Ranges.split(r[0], r[1], sequences);
        }
        long[] single = new long[4];
        boolean anySingle = false;
        List<int[]> alternatives = new ArrayList<>();
        for (Utf8Ranges.Sequence s : sequences) {
            if (s.lows().length == 1) {
                for (int b = s.lows()[0]; b <= s.highs()[0]; b++) {
                    single[b >> 6] |= 1L << (b & 63);
                }
                anySingle = true;
            } else {
                int[] symbols = new int[s.lows().length];
                for (int i = 0; i < symbols.length; i++) {
                    symbols[i] = byteRange(s.lows()[i], s.highs()[i]);
                }
                alternatives.add(symbols);
            }
        }
        if (alternatives.isEmpty()) {
            return bytes(single);
        }
        if (anySingle) {
            alternatives.addFirst(new int[] {bytes(single)});
        }
        int helper = helper(parent);
        define(helper, alternatives);
        return ref(helper);
    }

    /** The symbols for {@code element} (one or more symbols) repeated between min and max times (max -1: unbounded). */
    int[] repeat(String parent, int[] element, int min, int max) {
        int symbol = element[0];
        if (element.length != 1) {
            int group = helper(parent);
            define(group, List.<int[]>of(element));
            symbol = ref(group);
        }
        int tail = 0;
        boolean hasTail = false;
        if (max < 0) {
            int star = helper(parent);
            define(star, List.of(new int[] {symbol, ref(star)}, new int[0]));
            tail = ref(star);
            hasTail = true;
        } else if (max > min) {
            int inner = -1;
            for (int k = 0; k < max - min; k++) {
                int optional = helper(parent);
                define(optional, List.of(inner < 0 ? new int[] {symbol} : new int[] {symbol, ref(inner)}, new int[0]));
                inner = optional;
            }
            tail = ref(inner);
            hasTail = true;
        }
        int[] out = new int[min + (hasTail ? 1 : 0)];
        Arrays.fill(out, 0, min, symbol);
        if (hasTail) {
            out[min] = tail;
        }
        return out;
    }

    ParsedRules build(String rootName) {
        Integer root = ids.get(rootName);
        if (root == null || definitions.get(root) == null) {
            throw new GrammarException("the grammar has no rule '" + rootName + "'");
        }
        for (int r = 0; r < names.size(); r++) {
            if (definitions.get(r) == null) {
                throw new GrammarException("rule '" + names.get(r) + "' is used but never defined");
            }
        }
        GrammarChecks.rejectLeftRecursion(names, definitions);
        return new ParsedRules(names, definitions, sets, root);
    }

    /** A growable int sequence for the symbols of one alternative. */
    static final class IntListBuilder {
        private int[] values = new int[8];
        private int size;

        void add(int v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        void addAll(int[] vs) {
            for (int v : vs) {
                add(v);
            }
        }

        int size() {
            return size;
        }

        int[] slice(int from) {
            return Arrays.copyOfRange(values, from, size);
        }

        void truncate(int newSize) {
            size = newSize;
        }

        int[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
