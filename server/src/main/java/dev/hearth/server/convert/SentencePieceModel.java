package dev.hearth.server.convert;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of a SentencePiece {@code tokenizer.model} (sentencepiece_model.proto's ModelProto) that a GGUF needs,
 * read by hand: {@code pieces = 1} {piece = 1, score = 2, type = 3}; {@code trainer_spec = 2} {model_type = 3,
 * vocab_size = 4, byte_fallback = 35, unk_id = 40, bos_id = 41, eos_id = 42, pad_id = 43}; {@code normalizer_spec = 3}
 * {name = 1, add_dummy_prefix = 3, remove_extra_whitespaces = 4}. Unknown fields are skipped; proto2 defaults apply
 * to fields the file leaves out.
 *
 * @param types the piece types, as SentencePiece numbers them (NORMAL 1, UNKNOWN 2, CONTROL 3, USER_DEFINED 4,
 *     UNUSED 5, BYTE 6), which are also GGUF's token type numbers
 * @param modelType UNIGRAM 1, BPE 2, WORD 3, CHAR 4
 * @param padId -1 when the model has none
 */
public record SentencePieceModel(String[] pieces, float[] scores, int[] types, int modelType, boolean byteFallback,
        int unkId, int bosId, int eosId, int padId, String normalizerName, boolean addDummyPrefix,
        boolean removeExtraWhitespaces) {
    static final int UNIGRAM = 1;
    static final int BPE = 2;

    public static SentencePieceModel read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "missing");
        }
        return parse(Files.readAllBytes(file), file.toString());
    }

    static SentencePieceModel parse(byte[] bytes, String file) {
        ProtoWire model = new ProtoWire(bytes, file);
        List<String> pieces = new ArrayList<>();
        List<Float> scores = new ArrayList<>();
        List<Integer> types = new ArrayList<>();
        Trainer trainer = new Trainer();
        Normalizer normalizer = new Normalizer();
        while (model.hasMore()) {
            int at = model.position();
            switch (model.nextField()) {
                case 1 -> readPiece(model.readMessage("ModelProto.pieces"), pieces, scores, types, at);
                case 2 -> trainer.read(model.readMessage("ModelProto.trainer_spec"));
                case 3 -> normalizer.read(model.readMessage("ModelProto.normalizer_spec"));
                default -> model.skip();
            }
        }
        if (pieces.isEmpty()) {
            throw model.error(0, "no pieces (ModelProto field 1)");
        }
        float[] s = new float[scores.size()];
        int[] t = new int[types.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = scores.get(i);
            t[i] = types.get(i);
        }
        return new SentencePieceModel(pieces.toArray(String[]::new), s, t, trainer.modelType, trainer.byteFallback,
                trainer.unkId, trainer.bosId, trainer.eosId, trainer.padId, normalizer.name,
                normalizer.addDummyPrefix, normalizer.removeExtraWhitespaces);
    }

    public int size() {
        return pieces.length;
    }

    private static void readPiece(ProtoWire p, List<String> pieces, List<Float> scores, List<Integer> types, int at) {
        String piece = null;
        float score = 0;
        int type = 1;
        while (p.hasMore()) {
            switch (p.nextField()) {
                case 1 -> piece = p.readString("SentencePiece.piece");
                case 2 -> score = p.readFloat("SentencePiece.score");
                case 3 -> type = p.readInt32("SentencePiece.type");
                default -> p.skip();
            }
        }
        int id = pieces.size();
        if (piece == null) {
            throw p.error(at, "piece " + id + " has no text (SentencePiece field 1)");
        }
        if (type < 1 || type > 6) {
            throw p.error(at, "piece " + id + " '" + piece + "' has type " + type + " (known: 1 to 6)");
        }
        pieces.add(piece);
        scores.add(score);
        types.add(type);
    }

    /** TrainerSpec fields, with proto2 defaults. */
    private static final class Trainer {
        int modelType = UNIGRAM;
        boolean byteFallback;
        int unkId = 0;
        int bosId = 1;
        int eosId = 2;
        int padId = -1;

        void read(ProtoWire t) {
            while (t.hasMore()) {
                switch (t.nextField()) {
                    case 3 -> modelType = t.readInt32("TrainerSpec.model_type");
                    case 35 -> byteFallback = t.readBool("TrainerSpec.byte_fallback");
                    case 40 -> unkId = t.readInt32("TrainerSpec.unk_id");
                    case 41 -> bosId = t.readInt32("TrainerSpec.bos_id");
                    case 42 -> eosId = t.readInt32("TrainerSpec.eos_id");
                    case 43 -> padId = t.readInt32("TrainerSpec.pad_id");
                    default -> t.skip();
                }
            }
        }
    }

    /** NormalizerSpec fields, with proto2 defaults. */
    private static final class Normalizer {
        String name = "";
        boolean addDummyPrefix = true;
        boolean removeExtraWhitespaces = true;

        void read(ProtoWire n) {
            while (n.hasMore()) {
                switch (n.nextField()) {
                    case 1 -> name = n.readString("NormalizerSpec.name");
                    case 3 -> addDummyPrefix = n.readBool("NormalizerSpec.add_dummy_prefix");
                    case 4 -> removeExtraWhitespaces = n.readBool("NormalizerSpec.remove_extra_whitespaces");
                    default -> n.skip();
                }
            }
        }
    }
}
