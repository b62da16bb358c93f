package dev.hearth.server.route;

import dev.hearth.engine.ModelRunner;
import dev.hearth.engine.StepBatch;
import dev.hearth.kv.BlockAllocator;
import dev.hearth.kv.BlockTable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A model stand-in that answers {@code "You said: " + the text after the last "user: " of its prompt, up to the line
 * end}, one byte per step, then {@link #EOS}. Prompt bytes are ids 0..255; answer bytes are ids 256..511 (the same
 * bytes, so the prompt/answer boundary is visible in the ids). Its "KV cache" stores each position's id in the
 * engine's paged blocks and rebuilds the sequence through the row's block table, so prefix caching, preemption and
 * mixed-up sequences are all exercised: a wrong block gives a visibly wrong answer. An optional delay per step makes
 * generations slow enough to cancel.
 */
public final class FakeRunner implements ModelRunner {
    public static final int ANSWER_BASE = 256;
    public static final int EOS = 512;
    public static final int VOCAB = 513;
    static final int BLOCK_SIZE = 16;
    private final int slots;
    private final int context;
    private final int budget;
    private final long stepDelayMillis;
    private final BlockAllocator blocks;
    private final int[] kv;
    private int[] sequence;

    public FakeRunner(int slots, int context, int budget, long stepDelayMillis) {
        this.slots = slots;
        this.context = context;
        this.budget = budget;
        this.stepDelayMillis = stepDelayMillis;
        int numBlocks = slots * ((context + BLOCK_SIZE - 1) / BLOCK_SIZE);
        this.blocks = new BlockAllocator(numBlocks, BLOCK_SIZE);
        this.kv = new int[numBlocks * BLOCK_SIZE];
        this.sequence = new int[context];
    }

    /**
     * The answer the fake gives to a prompt text; a user line {@code "say: TEXT"} is answered with TEXT exactly
     * ({@code \\n} in it as a line break), so tests can make the model write tool calls or reasoning.
     */
    public static String answer(String prompt) {
        int at = prompt.lastIndexOf("user: ");
        String said = at < 0 ? prompt : prompt.substring(at + 6);
        int end = said.indexOf('\n');
        String line = end < 0 ? said : said.substring(0, end);
        return line.startsWith(SAY) ? line.substring(SAY.length()).replace("\\n", "\n") : "You said: " + line;
    }

    /** The prefix of a user line that the fake repeats verbatim. */
    public static final String SAY = "say: ";

    @Override
    public int vocabularySize() {
        return VOCAB;
    }

    @Override
    public int maxSequences() {
        return slots;
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
    public BlockAllocator kvBlocks() {
        return blocks;
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
            BlockTable table = plan.table(row);
            int pos = plan.position(row);
            kv[cell(table, pos)] = plan.token(row);
            if (!plan.needsLogits(row)) {
                continue;
            }
            int next = next(table, pos + 1);
            Arrays.fill(logits, out * VOCAB, (out + 1) * VOCAB, 0f);
            logits[out * VOCAB + next] = 30f;
            out++;
        }
    }

    /** The next id after the {@code length} ids stored through {@code table}. */
    private int next(BlockTable table, int length) {
        int promptLength = 0;
        while (promptLength < length && kv[cell(table, promptLength)] < ANSWER_BASE) {
            promptLength++;
        }
        byte[] prompt = new byte[promptLength];
        for (int i = 0; i < promptLength; i++) {
            prompt[i] = (byte) kv[cell(table, i)];
        }
        byte[] reply = answer(new String(prompt, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        int answered = length - promptLength;
        return answered < reply.length ? ANSWER_BASE + (reply[answered] & 0xFF) : EOS;
    }

    private static int cell(BlockTable table, int pos) {
        return table.block(pos / BLOCK_SIZE) * BLOCK_SIZE + pos % BLOCK_SIZE;
    }

    @Override
    public void releaseSlot(int slot) {}
}
