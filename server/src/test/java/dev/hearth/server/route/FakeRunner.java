package dev.hearth.server.route;

import dev.hearth.engine.ModelRunner;
import dev.hearth.engine.StepBatch;
import dev.hearth.kv.BlockAllocator;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A model stand-in over a byte vocabulary (ids 0..255 are bytes, {@link #EOS} ends): it answers
 * {@code "You said: " + the text after the last "user: " of its prompt, up to the line end}, one byte per step, then
 * EOS. It keeps each slot's tokens like a KV cache, so mixed-up sequences give visibly wrong answers. An optional
 * delay per step makes generations slow enough to cancel.
 */
public final class FakeRunner implements ModelRunner {
    public static final int EOS = 256;
    public static final int VOCAB = 257;
    private final int slots;
    private final int context;
    private final int budget;
    private final long stepDelayMillis;
    private final byte[][] reply;
    private final int[] replied;
    private volatile int released;
    private final BlockAllocator blocks;
    private final int[] cells;

    public FakeRunner(int slots, int context, int budget, long stepDelayMillis) {
        this.slots = slots;
        this.context = context;
        this.budget = budget;
        this.stepDelayMillis = stepDelayMillis;
        this.reply = new byte[slots][];
        this.replied = new int[slots];
        this.blocks = new BlockAllocator(slots * ((context + 15) / 16), 16);
        this.cells = new int[slots * ((context + 15) / 16) * 16];
    }

    /** The answer the fake gives to a prompt text. */
    public static String answer(String prompt) {
        int at = prompt.lastIndexOf("user: ");
        String said = at < 0 ? prompt : prompt.substring(at + 6);
        int end = said.indexOf('\n');
        return "You said: " + (end < 0 ? said : said.substring(0, end));
    }

    @Override
    public int vocabularySize() {
        return VOCAB;
    }

    @Override
    public int maxSequences() {
        return slots;
    }

    @Override
    public BlockAllocator kvBlocks() {
        return blocks;
    }

    @Override
    public int contextLength() {
        return context;
    }

    @Override
    public int maxBatchTokens() {
        return budget;
    }

    @Override
    public void forward(StepBatch plan, float[] logits) {
        if (stepDelayMillis > 0) {
            try {
                Thread.sleep(stepDelayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        int out = 0;
        for (int row = 0; row < plan.size(); row++) {
            int slot = plan.slot(row);
            dev.hearth.kv.BlockTable table = plan.table(row);
            int pos = plan.position(row);
            cells[cell(table, pos)] = plan.token(row);
            if (!plan.needsLogits(row)) {
                continue;
            }
            if (reply[slot] == null) {
                byte[] prompt = new byte[pos + 1];
                for (int i = 0; i <= pos; i++) {
                    prompt[i] = (byte) cells[cell(table, i)];
                }
                reply[slot] = answer(new String(prompt, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
            }
            int next = replied[slot] < reply[slot].length ? reply[slot][replied[slot]++] & 0xFF : EOS;
            Arrays.fill(logits, out * VOCAB, (out + 1) * VOCAB, 0f);
            logits[out * VOCAB + next] = 30f;
            out++;
        }
    }

    private static int cell(dev.hearth.kv.BlockTable table, int pos) {
        return table.block(pos / 16) * 16 + pos % 16;
    }

    @Override
    public void releaseSlot(int slot) {
        reply[slot] = null;
        replied[slot] = 0;
        released++;
    }

    public int released() {
        return released;
    }
}
