package dev.hearth.grammar;

/**
 * How a symbol of a rule's alternative is held before {@link Grammar} flattens the rules: one int, a set of bytes
 * (the set's id, shifted) or a reference to a rule (the rule's id, shifted, low bit set). Its own file, because the
 * builder, the checks, the linker and the flattening all read it and none of them should depend on another for it.
 */
final class GrammarSymbol {
    private GrammarSymbol() {}

    static boolean isRef(int symbol) {
        return (symbol & 1) == 1;
    }

    /** The rule id of a reference, or the set id of a byte set. */
    static int target(int symbol) {
        return symbol >>> 1;
    }

    static int ref(int rule) {
        return rule << 1 | 1;
    }

    static int byteSet(int set) {
        return set << 1;
    }
}
