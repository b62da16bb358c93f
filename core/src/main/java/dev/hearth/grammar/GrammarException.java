package dev.hearth.grammar;

/**
 * A grammar or JSON schema that cannot be compiled: a GBNF syntax error (with its line and column), an undefined or
 * left-recursive rule, an unsupported JSON-schema keyword (named), an empty enum or conflicting constraints.
 */
public final class GrammarException extends RuntimeException {
    public GrammarException(String message) {
        super(message);
    }
}
