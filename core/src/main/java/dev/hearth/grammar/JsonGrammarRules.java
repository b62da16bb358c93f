package dev.hearth.grammar;

/**
 * The GBNF rules of JSON shared by {@link Grammar#jsonObject()} and the schema converter. Whitespace between tokens
 * is optional and bounded (none, one space, or a newline and up to 20 spaces or tabs), so a model cannot loop on
 * whitespace; numbers are bounded too (16 integer and 16 fraction digits, 3 exponent digits).
 */
final class JsonGrammarRules {
    private JsonGrammarRules() {}

    static final String WS = "ws ::= | \" \" | \"\\n\" [ \\t]{0,20}\n";
    static final String CHAR = "char ::= [^\"\\\\\\x00-\\x1F] | \"\\\\\" ([\"\\\\/bfnrt] | \"u\" [0-9a-fA-F]{4})\n";
    static final String STRING = "string ::= \"\\\"\" char* \"\\\"\"\n" + CHAR;
    static final String INTEGER = "integer ::= \"-\"? (\"0\" | [1-9] [0-9]{0,15})\n";
    static final String NUMBER = "number ::= \"-\"? (\"0\" | [1-9] [0-9]{0,15}) (\".\" [0-9]{1,16})?"
            + " ([eE] [-+]? [0-9]{1,3})?\n";
    static final String BOOLEAN = "boolean ::= \"true\" | \"false\"\n";
    static final String NULL = "null ::= \"null\"\n";
    static final String VALUE = "value ::= object | array | string | number | boolean | null\n"
            + "object ::= \"{\" ws ( string ws \":\" ws value ws ( \",\" ws string ws \":\" ws value ws )* )? \"}\"\n"
            + "array ::= \"[\" ws ( value ws ( \",\" ws value ws )* )? \"]\"\n";

    /** Every rule of a JSON value, with {@code ws}. */
    static final String ALL = VALUE + STRING + NUMBER + INTEGER + BOOLEAN + NULL + WS;

    static final String JSON_OBJECT = "root ::= object\n" + ALL;
}
