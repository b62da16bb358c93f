package dev.hearth.tokenizer;

import dev.hearth.gguf.GgufKeys;
import dev.hearth.gguf.GgufMetadata;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Text to token ids and back, as llama.cpp does it ({@code llama_tokenize}, {@code llama_token_to_piece},
 * {@code llama_detokenize}). Built once per model from its GGUF metadata; immutable and thread-safe (every call
 * uses its own scratch).
 */
public abstract sealed class Tokenizer permits BpeTokenizer, SpmTokenizer {
    private static final byte[] EMPTY = new byte[0];

    protected final Vocabulary vocabulary;
    private final SpecialTokenMatcher parseSpecialMatcher;
    private final SpecialTokenMatcher userDefinedMatcher;
    private final byte[][] pieces;
    private final boolean cleanSpaces;

    Tokenizer(Vocabulary vocabulary, boolean cleanSpaces) {
        this.vocabulary = vocabulary;
        this.cleanSpaces = cleanSpaces;
        this.parseSpecialMatcher = new SpecialTokenMatcher(vocabulary, true);
        this.userDefinedMatcher = new SpecialTokenMatcher(vocabulary, false);
        this.pieces = new byte[vocabulary.size()][];
        for (int id = 0; id < pieces.length; id++) {
            byte[] piece = piece(id, vocabulary.text(id), vocabulary.type(id));
            pieces[id] = piece.length == 0 ? EMPTY : piece;
        }
    }

    /** The tokenizer that {@code tokenizer.ggml.*} describes; failures name the key. */
    public static Tokenizer fromGguf(GgufMetadata metadata) {
        Vocabulary vocabulary = Vocabulary.fromGguf(metadata);
        return switch (vocabulary.model()) {
            case BPE -> BpeTokenizer.create(vocabulary, metadata.has(GgufKeys.TOKENIZER_MERGES)
                    ? metadata.getStringArray(GgufKeys.TOKENIZER_MERGES) : new String[0]);
            case SPM -> new SpmTokenizer(vocabulary);
        };
    }

    public Vocabulary vocabulary() {
        return vocabulary;
    }

    /** The bytes a token stands for, when special (CONTROL, UNKNOWN) tokens are written out. */
    abstract byte[] piece(int id, String text, TokenType type);

    /** Encodes one fragment of plain text (no special tokens in it) and appends its ids. */
    abstract void encodeFragment(String text, int from, int to, boolean afterSpecial, IntList out);

    /**
     * Encodes text. {@code addSpecial}: add BOS/EOS as the model asks ({@code add_bos_token}, {@code add_eos_token}).
     * {@code parseSpecial}: CONTROL token texts in {@code text} become those tokens; without it, only USER_DEFINED
     * tokens are matched and a user cannot inject control tokens.
     */
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        IntList fragments = new IntList(12);
        (parseSpecial ? parseSpecialMatcher : userDefinedMatcher).partition(text, fragments);
        IntList out = new IntList(text.length() / 3 + 4);
        if (addSpecial && vocabulary.addBos()) {
            requireSpecial(vocabulary.bos(), "BOS", GgufKeys.TOKENIZER_BOS_ID);
            out.add(vocabulary.bos());
        }
        boolean afterSpecial = true;
        for (int i = 0; i < fragments.size(); i += 3) {
            int id = fragments.get(i + 2);
            if (id >= 0) {
                out.add(id);
                afterSpecial = true;
            } else {
                encodeFragment(text, fragments.get(i), fragments.get(i + 1), afterSpecial, out);
                afterSpecial = false;
            }
        }
        if (addSpecial && vocabulary.addEos()) {
            requireSpecial(vocabulary.eos(), "EOS", GgufKeys.TOKENIZER_EOS_ID);
            out.add(vocabulary.eos());
        }
        return out.toArray();
    }

    private static void requireSpecial(int id, String what, String key) {
        if (id == Vocabulary.NONE) {
            throw new IllegalStateException("the model adds " + what + " but has no " + key);
        }
    }

    /** Encodes with the model's BOS/EOS and without parsing special tokens (safe for user text). */
    public int[] encode(String text) {
        return encode(text, true, false);
    }

    /**
     * The bytes of one token ({@code llama_token_to_piece}); with {@code special} false, CONTROL and UNKNOWN tokens
     * are empty. Byte-level tokens can be partial UTF-8.
     */
    public byte[] tokenPiece(int id, boolean special) {
        return pieceBytes(id, special).clone();
    }

    byte[] pieceBytes(int id, boolean special) {
        vocabulary.check(id);
        if (!special && vocabulary.type(id).isSpecial()) {
            return EMPTY;
        }
        return pieces[id];
    }

    /**
     * The text of {@code ids} ({@code llama_detokenize}). {@code removeSpecial}: drop a leading BOS and trailing
     * EOS the model adds. {@code unparseSpecial}: write CONTROL tokens out as their text.
     */
    public String decode(int[] ids, boolean removeSpecial, boolean unparseSpecial) {
        return new String(decodeBytes(ids, removeSpecial, unparseSpecial), StandardCharsets.UTF_8);
    }

    /** {@link #decode} with special tokens written out and nothing removed. */
    public String decode(int[] ids) {
        return decode(ids, false, true);
    }

    public byte[] decodeBytes(int[] ids, boolean removeSpecial, boolean unparseSpecial) {
        int start = 0;
        int end = ids.length;
        boolean removeSpace = vocabulary.addSpacePrefix();
        if (removeSpecial && vocabulary.addBos() && end > 0 && ids[0] == vocabulary.bos()) {
            removeSpace = false;
            start++;
        }
        if (removeSpecial && vocabulary.addEos() && end > start && ids[end - 1] == vocabulary.eos()) {
            end--;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(ids.length * 4);
        for (int i = start; i < end; i++) {
            byte[] piece = pieceBytes(ids[i], unparseSpecial);
            int skip = removeSpace && piece.length > 0 && piece[0] == ' ' ? 1 : 0;
            out.write(piece, skip, piece.length - skip);
            removeSpace = false;
        }
        byte[] bytes = out.toByteArray();
        return cleanSpaces ? SpaceCleaner.clean(bytes) : bytes;
    }

    /** An incremental decoder for a stream of generated ids. */
    public Detokenizer detokenizer(boolean removeSpecial, boolean unparseSpecial) {
        return new Detokenizer(vocabulary, cleanSpaces, id -> pieceBytes(id, unparseSpecial), removeSpecial);
    }
}
