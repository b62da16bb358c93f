package dev.hearth.tokenizer;

import dev.hearth.gguf.GgufKeys;
import dev.hearth.gguf.GgufMetadata;
import java.util.Arrays;
import java.util.BitSet;

/**
 * A model's vocabulary as llama.cpp reads it from GGUF metadata: token texts, scores and types, the special ids and
 * the end-of-generation set. Immutable.
 */
public final class Vocabulary {
    /** The tokenizer algorithm ({@code tokenizer.ggml.model}). */
    public enum Model { BPE, SPM }

    public static final int NONE = -1;

    private final Model model;
    private final String pre;
    private final String[] tokens;
    private final float[] scores;
    private final TokenType[] types;
    private final TokenIndex idsByText;
    private final int bos, eos, eot, eom, unk, pad;
    private final boolean addBos, addEos, addSpacePrefix;
    private final BitSet endOfGeneration;

    private Vocabulary(Model model, String pre, String[] tokens, float[] scores, TokenType[] types, int bos, int eos,
                       int eot, int eom, int unk, int pad, boolean addBos, boolean addEos, boolean addSpacePrefix,
                       BitSet endOfGeneration, TokenIndex idsByText) {
        this.model = model;
        this.pre = pre;
        this.tokens = tokens;
        this.scores = scores;
        this.types = types;
        this.bos = bos;
        this.eos = eos;
        this.eot = eot;
        this.eom = eom;
        this.unk = unk;
        this.pad = pad;
        this.addBos = addBos;
        this.addEos = addEos;
        this.addSpacePrefix = addSpacePrefix;
        this.endOfGeneration = endOfGeneration;
        this.idsByText = idsByText;
    }

    /** Reads the vocabulary; the message of any failure names the key. */
    public static Vocabulary fromGguf(GgufMetadata m) {
        String modelName = m.getString(GgufKeys.TOKENIZER_MODEL);
        Model model = switch (modelName) {
            case "gpt2" -> Model.BPE;
            case "llama" -> Model.SPM;
            default -> throw new IllegalArgumentException("unsupported tokenizer " + GgufKeys.TOKENIZER_MODEL
                    + " = '" + modelName + "' (supported: gpt2, llama)");
        };
        String[] tokens = m.getStringArray(GgufKeys.TOKENIZER_TOKENS);
        int n = tokens.length;
        float[] scores = m.has(GgufKeys.TOKENIZER_SCORES) ? m.getFloatArray(GgufKeys.TOKENIZER_SCORES) : new float[n];
        requireLength(GgufKeys.TOKENIZER_SCORES, scores.length, n);
        TokenType[] types = new TokenType[n];
        if (m.has(GgufKeys.TOKENIZER_TOKEN_TYPE)) {
            int[] codes = m.getIntArray(GgufKeys.TOKENIZER_TOKEN_TYPE);
            requireLength(GgufKeys.TOKENIZER_TOKEN_TYPE, codes.length, n);
            for (int i = 0; i < n; i++) {
                types[i] = TokenType.of(codes[i], i);
            }
        } else {
            Arrays.fill(types, TokenType.NORMAL);
        }
        boolean spm = model == Model.SPM;
        String pre = spm ? null : m.getString(GgufKeys.TOKENIZER_PRE, null);
        int bos = id(m, GgufKeys.TOKENIZER_BOS_ID, spm ? 1 : 11, n);
        int eos = id(m, GgufKeys.TOKENIZER_EOS_ID, spm ? 2 : 11, n);
        int unk = id(m, GgufKeys.TOKENIZER_UNK_ID, spm ? 0 : NONE, n);
        int pad = id(m, GgufKeys.TOKENIZER_PAD_ID, NONE, n);
        int eot = id(m, GgufKeys.TOKENIZER_EOT_ID, NONE, n);
        int eom = id(m, GgufKeys.TOKENIZER_EOM_ID, NONE, n);
        boolean defaultAddBos = spm || (pre != null && PreTokenizerKind.fromName(pre) == PreTokenizerKind.LLAMA3);
        boolean addBos = m.getBoolean(GgufKeys.TOKENIZER_ADD_BOS, defaultAddBos);
        boolean addEos = m.getBoolean(GgufKeys.TOKENIZER_ADD_EOS, false);
        boolean addSpacePrefix = m.getBoolean(GgufKeys.TOKENIZER_ADD_SPACE_PREFIX, spm);

        String[] texts = tokens.clone();
        TokenIndex index = new TokenIndex(texts);
        if (eot == NONE) {
            eot = forceControl(SpecialTokenNames.END_OF_TURN, index, types);
        }
        if (eom == NONE) {
            eom = forceControl(SpecialTokenNames.END_OF_MESSAGE, index, types);
        }
        forceControl(SpecialTokenNames.FILL_IN_THE_MIDDLE, index, types);
        BitSet eog = new BitSet(n);
        for (String text : SpecialTokenNames.FILL_IN_THE_MIDDLE_END) {
            int id = index.first(text);
            if (id >= 0) {
                eog.set(id);
            }
        }
        for (String text : SpecialTokenNames.END_OF_GENERATION) {
            int id = index.first(text);
            if (id >= 0) {
                eog.set(id);
                types[id] = TokenType.CONTROL;
            }
        }
        for (int id : new int[] {eos, eot, eom}) {
            if (id != NONE) {
                eog.set(id);
            }
        }
        return new Vocabulary(model, pre, texts, scores.clone(), types, bos, eos, eot, eom, unk, pad,
                addBos, addEos, addSpacePrefix, eog, index);
    }

    private static int forceControl(Iterable<String> texts, TokenIndex index, TokenType[] types) {
        int found = NONE;
        for (String text : texts) {
            int id = index.first(text);
            if (id >= 0) {
                types[id] = TokenType.CONTROL;
                if (found == NONE) {
                    found = id;
                }
            }
        }
        return found;
    }

    private static void requireLength(String key, int length, int expected) {
        if (length != expected) {
            throw new IllegalArgumentException("metadata key '" + key + "' has " + length + " entries, expected "
                    + expected + " (one per token of " + GgufKeys.TOKENIZER_TOKENS + ")");
        }
    }

    private static int id(GgufMetadata m, String key, int fallback, int size) {
        if (!m.has(key)) {
            return fallback < size ? fallback : NONE;
        }
        long v = m.getLong(key);
        if (v < 0 || v >= size) {
            throw new IllegalArgumentException("metadata key '" + key + "' = " + v + " is not a token id (vocabulary has "
                    + size + " tokens)");
        }
        return (int) v;
    }

    public Model model() { return model; }

    /** {@code tokenizer.ggml.pre}, or null. */
    public String pre() { return pre; }

    public int size() { return tokens.length; }

    public String text(int id) { return tokens[check(id)]; }

    public float score(int id) { return scores[check(id)]; }

    /** The type as llama.cpp uses it (tokens recognised by spelling forced to CONTROL). */
    public TokenType type(int id) { return types[check(id)]; }

    /** The id of the token spelled exactly {@code text} (the last one when several are), or {@link #NONE}. */
    public int idOf(String text) {
        return idsByText.get(text);
    }

    /** The lookup behind {@link #idOf}, for looking up regions without making strings. */
    TokenIndex index() {
        return idsByText;
    }

    public int bos() { return bos; }
    public int eos() { return eos; }
    public int eot() { return eot; }
    public int eom() { return eom; }
    public int unk() { return unk; }
    public int pad() { return pad; }
    public boolean addBos() { return addBos; }
    public boolean addEos() { return addEos; }
    public boolean addSpacePrefix() { return addSpacePrefix; }

    /** Whether generating {@code id} ends generation (eos, eot, eom and the tokens llama.cpp knows by name). */
    public boolean isEndOfGeneration(int id) {
        return id >= 0 && endOfGeneration.get(id);
    }

    /** The end-of-generation ids, ascending. */
    public int[] endOfGenerationIds() {
        return endOfGeneration.stream().toArray();
    }

    int check(int id) {
        if (id < 0 || id >= tokens.length) {
            throw new IllegalArgumentException("token id " + id + " is out of range [0, " + tokens.length + ")");
        }
        return id;
    }
}
