package dev.hearth.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.testing.Fixtures;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/** A llama.cpp logits reference of the fixtures: {@code reference/logits_<model>-<variant>[.dequant-f32].json}. */
record ReferenceLogits(String file, List<Prompt> prompts) {

    /** One position: the top-10 ids and logits, largest first. */
    record Position(int pos, int token, int[] ids, float[] logits) {
        float gap() {
            return logits[0] - logits[1];
        }
    }

    record Prompt(String name, int[] promptIds, List<Position> prefill, List<Position> greedy, int[] greedyIds) {}

    static ReferenceLogits read(String fileName) throws IOException {
        JsonNode root = new ObjectMapper().readTree(Fixtures.reference(fileName).toFile());
        List<Prompt> prompts = new ArrayList<>();
        for (JsonNode p : root.get("prompts")) {
            prompts.add(new Prompt(p.get("name").asText(), ints(p.get("prompt_ids")), positions(p.get("prefill")),
                    positions(p.get("greedy")), ints(p.get("greedy_ids"))));
        }
        return new ReferenceLogits(fileName, prompts);
    }

    Prompt prompt(String name) {
        return prompts.stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(file + " has no prompt " + name));
    }

    /** The full-vocabulary logits of {@code reference/full_logits/<name>.short.logits.bin}. */
    static float[] fullLogits(String modelBaseName) throws IOException {
        byte[] bytes = Files.readAllBytes(Fixtures.reference("full_logits/" + modelBaseName + ".short.logits.bin"));
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = buf.getInt();
        buf.position(4 + headerLength);
        float[] f = new float[buf.remaining() / 4];
        buf.asFloatBuffer().get(f);
        return f;
    }

    private static List<Position> positions(JsonNode array) {
        List<Position> list = new ArrayList<>();
        for (JsonNode e : array) {
            JsonNode top = e.get("top");
            int[] ids = new int[top.size()];
            float[] logits = new float[top.size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = top.get(i).get(0).asInt();
                logits[i] = (float) top.get(i).get(1).asDouble();
            }
            list.add(new Position(e.get("pos").asInt(), e.get("token").asInt(), ids, logits));
        }
        return list;
    }

    private static int[] ints(JsonNode array) {
        int[] r = new int[array.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = array.get(i).asInt();
        }
        return r;
    }
}
