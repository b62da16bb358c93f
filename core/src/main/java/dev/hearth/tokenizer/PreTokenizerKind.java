package dev.hearth.tokenizer;

import java.util.List;

/**
 * The pre-tokenizers named by {@code tokenizer.ggml.pre}, with the settings llama.cpp ties to each: whether a word
 * that is already a vocabulary entry skips the merges ({@code ignore_merges}) and whether decoding cleans the
 * spaces before punctuation ({@code clean_spaces}).
 */
enum PreTokenizerKind {
    /** Llama 3.x: contractions, letters with one leading non-letter, digits in groups of up to 3. */
    LLAMA3(true, true),
    /** Qwen 2/2.5/3: as Llama 3 but one digit per word. */
    QWEN2(false, false),
    /** DeepSeek-R1 distilled Qwen: DeepSeek-V3's three regexes. */
    DEEPSEEK3(false, false),
    /** GPT-2, also the default when the key is absent. */
    GPT2(false, true);

    static final String LLAMA3_REGEX = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])"
            + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    static final String QWEN2_REGEX = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])"
            + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    static final String GPT2_REGEX =
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
    static final List<String> DEEPSEEK3_REGEXES = List.of(
            "\\p{N}{1,3}",
            "[一-龥぀-ゟ゠-ヿ]+",
            "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\\r\\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+"
                    + "| ?[\\p{P}\\p{S}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");

    final boolean ignoreMerges;
    final boolean cleanSpaces;

    PreTokenizerKind(boolean ignoreMerges, boolean cleanSpaces) {
        this.ignoreMerges = ignoreMerges;
        this.cleanSpaces = cleanSpaces;
    }

    /** The kind for a {@code tokenizer.ggml.pre} value; null or "default" is GPT-2. */
    static PreTokenizerKind fromName(String pre) {
        if (pre == null) {
            return GPT2;
        }
        return switch (pre) {
            case "llama-bpe", "llama3", "llama-v3" -> LLAMA3;
            case "qwen2" -> QWEN2;
            case "deepseek-r1-qwen", "deepseek-v3" -> DEEPSEEK3;
            case "gpt-2", "gpt2", "default" -> GPT2;
            default -> throw new IllegalArgumentException("unsupported pre-tokenizer tokenizer.ggml.pre = '" + pre
                    + "' (supported: llama-bpe, qwen2, deepseek-r1-qwen, gpt-2, default)");
        };
    }

    /** The fast hand-written splitter where there is one, else the regex splitter. */
    PreTokenizer create() {
        return switch (this) {
            case LLAMA3 -> new Llama3PreTokenizer(3);
            case QWEN2 -> new Llama3PreTokenizer(1);
            case DEEPSEEK3 -> new RegexPreTokenizer(DEEPSEEK3_REGEXES);
            case GPT2 -> new Gpt2PreTokenizer();
        };
    }

    /** The java.util.regex twin (a test oracle for the hand-written splitters). */
    PreTokenizer createRegex() {
        return switch (this) {
            case LLAMA3 -> new RegexPreTokenizer(List.of(LLAMA3_REGEX));
            case QWEN2 -> new RegexPreTokenizer(List.of(QWEN2_REGEX));
            case DEEPSEEK3 -> new RegexPreTokenizer(DEEPSEEK3_REGEXES);
            case GPT2 -> new RegexPreTokenizer(List.of(GPT2_REGEX));
        };
    }
}
