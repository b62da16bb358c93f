package dev.hearth.tokenizer;

import dev.hearth.gguf.GgufFile;
import dev.hearth.gguf.GgufKeys;
import dev.hearth.testing.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The test oracle for the optimised tokenizers: the textbook algorithms over strings, quadratic and allocating.
 * BPE: symbols are byte-level strings, the adjacent pair with the lowest merge rank (leftmost on ties) whose parts
 * and join are tokens merges. SentencePiece: symbols are code points, the adjacent pair whose join is the token with
 * the highest score (leftmost on ties) merges; leftover non-tokens fall back to {@code <0xNN>}.
 */
final class ReferenceTokenizer {
    private final Vocabulary vocabulary;
    private final SpecialTokenMatcher plain;
    private final SpecialTokenMatcher special;
    private final PreTokenizerKind kind;
    /** "left right" (byte-level) to rank, first occurrence. */
    private final Map<String, Integer> ranks = new HashMap<>();
    private final Map<String, Integer> ids = new HashMap<>();

    ReferenceTokenizer(String modelFile) {
        try (GgufFile f = GgufFile.open(Fixtures.model(modelFile))) {
            vocabulary = Vocabulary.fromGguf(f.metadata());
            for (int id = 0; id < vocabulary.size(); id++) {
                ids.put(vocabulary.text(id), id);
            }
            kind = vocabulary.model() == Vocabulary.Model.BPE ? PreTokenizerKind.fromName(vocabulary.pre()) : null;
            if (f.metadata().has(GgufKeys.TOKENIZER_MERGES)) {
                String[] merges = f.metadata().getStringArray(GgufKeys.TOKENIZER_MERGES);
                for (int r = 0; r < merges.length; r++) {
                    ranks.putIfAbsent(merges[r], r);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        plain = new SpecialTokenMatcher(vocabulary, false);
        special = new SpecialTokenMatcher(vocabulary, true);
    }

    int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        IntList fragments = new IntList(12);
        (parseSpecial ? special : plain).partition(text, fragments);
        List<Integer> out = new ArrayList<>();
        if (addSpecial && vocabulary.addBos()) {
            out.add(vocabulary.bos());
        }
        boolean afterSpecial = true;
        for (int i = 0; i < fragments.size(); i += 3) {
            int id = fragments.get(i + 2);
            if (id >= 0) {
                out.add(id);
                afterSpecial = true;
            } else {
                String fragment = text.substring(fragments.get(i), fragments.get(i + 1));
                if (kind == null) {
                    spm(afterSpecial && vocabulary.addSpacePrefix() ? " " + fragment : fragment, out);
                } else {
                    bpe(fragment, out);
                }
                afterSpecial = false;
            }
        }
        if (addSpecial && vocabulary.addEos()) {
            out.add(vocabulary.eos());
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private int id(String text) {
        return ids.getOrDefault(text, -1);
    }

    private boolean isByteLevelToken(String s) {
        return ByteLevel.strictDecode(s) != null && id(s) >= 0;
    }

    private void bpe(String fragment, List<Integer> out) {
        IntList ends = new IntList(16);
        kind.createRegex().split(fragment, 0, fragment.length(), ends);
        int start = 0;
        for (int w = 0; w < ends.size(); w++) {
            String word = fragment.substring(start, ends.get(w));
            start = ends.get(w);
            List<String> symbols = new ArrayList<>();
            StringBuilder whole = new StringBuilder();
            for (byte b : word.getBytes(StandardCharsets.UTF_8)) {
                symbols.add(String.valueOf(ByteLevel.charOf(b)));
                whole.append(ByteLevel.charOf(b));
            }
            if (kind.ignoreMerges && isByteLevelToken(whole.toString())) {
                out.add(id(whole.toString()));
                continue;
            }
            while (true) {
                int best = -1;
                int bestRank = Integer.MAX_VALUE;
                for (int i = 0; i + 1 < symbols.size(); i++) {
                    String l = symbols.get(i);
                    String r = symbols.get(i + 1);
                    Integer rank = ranks.get(l + " " + r);
                    if (rank != null && rank < bestRank && isByteLevelToken(l) && isByteLevelToken(r)
                            && isByteLevelToken(l + r)) {
                        best = i;
                        bestRank = rank;
                    }
                }
                if (best < 0) {
                    break;
                }
                symbols.set(best, symbols.get(best) + symbols.remove(best + 1));
            }
            for (String s : symbols) {
                if (isByteLevelToken(s)) {
                    out.add(id(s));
                }
            }
        }
    }

    private void spm(String fragment, List<Integer> out) {
        String s = fragment.replace(' ', '\u2581');
        List<String> symbols = new ArrayList<>();
        for (int i = 0; i < s.length(); ) {
            int n = Character.charCount(s.codePointAt(i));
            symbols.add(s.substring(i, i + n));
            i += n;
        }
        while (true) {
            int best = -1;
            int bestPriority = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < symbols.size(); i++) {
                int id = id(symbols.get(i) + symbols.get(i + 1));
                if (id >= 0) {
                    int priority = BigramQueue.descendingScore(vocabulary.score(id));
                    if (priority < bestPriority) {
                        best = i;
                        bestPriority = priority;
                    }
                }
            }
            if (best < 0) {
                break;
            }
            symbols.set(best, symbols.get(best) + symbols.remove(best + 1));
        }
        for (String symbol : symbols) {
            int id = id(symbol);
            if (id >= 0) {
                out.add(id);
                continue;
            }
            for (byte b : symbol.getBytes(StandardCharsets.UTF_8)) {
                int byteId = id(String.format("<0x%02X>", b & 0xFF));
                out.add(byteId >= 0 ? byteId : vocabulary.unk());
            }
        }
    }
}
