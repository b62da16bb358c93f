package dev.hearth.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Continuous batching over one loaded model. One engine thread owns the scheduler, the runner (KV cache, buffers)
 * and every sequence; other threads talk to it only through {@link #submit} (a lock-free queue) and
 * {@link GenerationHandle#cancel()}. Each step packs the next token of every running sequence plus chunks of waiting
 * prompts into one forward call, then samples the rows that need it.
 */
public final class Engine implements AutoCloseable {
    private final ModelRunner runner;
    private final EngineOptions options;
    private final Scheduler scheduler;
    private final StepBatch batch;
    private final float[] logits;
    private final ConcurrentLinkedQueue<Sequence> incoming = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicLong ids = new AtomicLong();
    private final Thread thread;
    private volatile boolean closed;
    /** Why the model cannot compute any more (a fault in a forward pass); null while it can. */
    private volatile String failure;
    private volatile int runningCount;
    private volatile long steps;
    // written by the engine thread after each step, read by counters() from any thread
    private volatile long promptTokensComputed;
    private volatile long generatedTokens;
    private volatile int kvBlocksUsed;
    private volatile int kvBlocksCached;

    public Engine(ModelRunner runner, EngineOptions options) {
        this.runner = runner;
        this.options = options;
        int budget = runner.maxBatchTokens();
        this.scheduler = new Scheduler(runner.maxSequences(), budget, runner.kvBlocks());
        this.batch = new StepBatch(budget);
        int logitsLength = Math.min(budget, runner.maxSequences()) * runner.vocabularySize();
        float[] own = runner.logitsArray();
        this.logits = own != null && own.length >= logitsLength ? own : new float[logitsLength];
        this.thread = Thread.ofPlatform().name("hearth-engine-" + options.name()).daemon().start(this::loop);
    }

    /**
     * Queues a generation. Refuses at once a prompt that does not fit the context
     * ({@link ContextLengthExceededException}) and a full wait queue ({@link EngineOverloadedException}). The
     * request's {@link GenerationRequest#scheduling} says whose it is.
     */
    public GenerationHandle submit(GenerationRequest request) {
        if (closed) {
            throw new IllegalStateException("engine " + options.name() + " is closed");
        }
        checkFault();
        if (failure != null) {
            throw new EngineFailedException(options.name(), failure);
        }
        if (request.promptIds().length >= runner.contextLength()) {
            throw new ContextLengthExceededException(request.promptIds().length, runner.contextLength());
        }
        for (int id : request.promptIds()) {
            if (id < 0 || id >= runner.vocabularySize()) {
                throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, "
                        + runner.vocabularySize() + ")");
            }
        }
        if (queued.incrementAndGet() > options.maxWaiting() + runner.maxSequences()) {
            queued.decrementAndGet();
            throw new EngineOverloadedException("the engine for " + options.name() + " has " + options.maxWaiting()
                    + " requests waiting; retry later", 1);
        }
        GenerationHandle handle = new GenerationHandle();
        int capacity = Math.min(runner.contextLength(), request.promptIds().length + request.maxTokens() + 1);
        incoming.add(new Sequence(ids.incrementAndGet(), request, handle, capacity));
        LockSupport.unpark(thread);
        return handle;
    }

    /**
     * The embedding of {@code ids} (mean-pooled, L2-normalised final hidden states), computed on the engine thread
     * between two steps. Blocks until it is done.
     *
     * @throws ContextLengthExceededException when the input does not fit the context
     * @throws UnsupportedOperationException when the runner cannot compute embeddings
     */
    public float[] embed(int[] ids) throws InterruptedException {
        checkFault();
        if (failure != null) {
            throw new EngineFailedException(options.name(), failure);
        }
        if (ids.length >= runner.contextLength()) {
            throw new ContextLengthExceededException(ids.length, runner.contextLength());
        }
        for (int id : ids) {
            if (id < 0 || id >= runner.vocabularySize()) {
                throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, "
                        + runner.vocabularySize() + ")");
            }
        }
        CompletableFuture<float[]> result = new CompletableFuture<>();
        tasks.add(() -> {
            try {
                result.complete(runner.embed(ids));
            } catch (RuntimeException | Error e) {
                if (fatal(e)) {
                    failure = describe(e);
                    result.completeExceptionally(new EngineFailedException(options.name(), failure));
                } else {
                    result.completeExceptionally(e);
                }
            }
        });
        if (closed) {  // the engine thread may have drained its tasks already
            result.completeExceptionally(new IllegalStateException("engine " + options.name() + " is closed"));
        }
        LockSupport.unpark(thread);
        try {
            return result.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("embedding failed: " + e.getCause(), e.getCause());
        }
    }

    /** Why the model can no longer compute (it then refuses every request); empty while it can. */
    public java.util.Optional<String> failure() {
        checkFault();
        return java.util.Optional.ofNullable(failure);
    }

    /** Takes the runner's fault (found off the engine thread, such as damaged weights) as this engine's failure. */
    private void checkFault() {
        if (failure == null) {
            String fault = runner.fault();
            if (fault != null) {
                failure = fault;
            }
        }
    }

    /**
     * Whether {@code e} means the model itself is broken rather than one request: a JVM error anywhere in its causes,
     * such as the {@link InternalError} of a memory fault in a mapped file (also when a compute thread's failure
     * arrives wrapped).
     */
    static boolean fatal(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof Error) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof Error) {
                return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
            }
        }
        return String.valueOf(e.getMessage());
    }

    /**
     * Ends every generation running, waiting or just submitted with {@link FinishReason#ERROR} and {@code reason}
     * (on the engine thread, before its next step), as a server ending its shutdown grace does; the engine stays
     * usable.
     */
    public void abort(String reason) {
        tasks.add(() -> {
            for (Sequence s; (s = incoming.poll()) != null; ) {
                queued.decrementAndGet();
                s.handle.publish(new GenerationEvent.Done(FinishReason.ERROR, "", s.promptLength, 0, 0, 0, reason));
            }
            for (Sequence s : new ArrayList<>(scheduler.running())) {
                finish(s, FinishReason.ERROR, reason);
            }
            for (Sequence s : new ArrayList<>(scheduler.waiting())) {
                finish(s, FinishReason.ERROR, reason);
            }
        });
        LockSupport.unpark(thread);
    }

    /** KV blocks held by sequences now (not free, not merely cached for prefix reuse); readable from any thread. */
    public int kvBlocksInUse() {
        dev.hearth.kv.BlockAllocator blocks = runner.kvBlocks();
        return blocks.totalBlocks() - blocks.available();
    }

    /** Sequences running now (KV slots in use). */
    public int runningCount() {
        return runningCount;
    }

    /** Sequences submitted and not yet finished (running and waiting). */
    public int queuedCount() {
        return queued.get();
    }

    public long steps() {
        return steps;
    }

    /** Sequences preempted so far because KV blocks ran short (each recomputed later). */
    public long preemptions() {
        return scheduler.preemptions();
    }

    /** Prompt positions served from the prefix cache so far instead of being computed. */
    public long cachedPromptTokens() {
        return scheduler.cachedTokens();
    }

    /**
     * Jain's fairness index over the agents served so far: (sum x)^2 / (n sum x^2), x = tokens generated for an
     * agent over its weight; 1 is perfectly even. Readable from any thread.
     */
    public double fairnessIndex() {
        return scheduler.fairShare().jainIndex();
    }

    /** Tokens generated per agent so far (anonymous requests under the empty name); readable from any thread. */
    public Map<String, Long> generatedByAgent() {
        return scheduler.fairShare().generatedByAgent();
    }

    /** The engine's counters and KV occupancy now (as of its latest step); readable from any thread. */
    public EngineCounters counters() {
        int running = runningCount;
        return new EngineCounters(running, Math.max(0, queued.get() - running), runner.maxSequences(), steps,
                promptTokensComputed, generatedTokens, scheduler.cachedTokens(), scheduler.preemptions(),
                runner.kvBlocks().totalBlocks(), kvBlocksUsed, kvBlocksCached,
                runner.kvBlocks().blockSize(), runner.kvCacheBytes(), fairnessIndex());
    }

    public int maxSequences() {
        return runner.maxSequences();
    }

    public int contextLength() {
        return runner.contextLength();
    }

    /** Where the model runs (see {@link ModelRunner#placement()}). */
    public String placement() {
        return runner.placement();
    }

    public int vocabularySize() {
        return runner.vocabularySize();
    }

    private void loop() {
        while (!closed) {
            for (Runnable task; (task = tasks.poll()) != null; ) {
                task.run();
            }
            for (Sequence s; (s = incoming.poll()) != null; ) {
                try {
                    s.sampler = s.request.sampler().get();
                    s.decoder = s.request.decoder().get();
                    s.stop = new StopMatcher(s.request.stopStrings());
                } catch (RuntimeException e) {
                    // a request whose sampler or decoder cannot be built fails alone; the engine goes on
                    queued.decrementAndGet();
                    s.handle.publish(new GenerationEvent.Done(FinishReason.ERROR, "", s.promptLength, 0, 0, 0,
                            "cannot start the generation: " + e.getMessage()));
                    continue;
                }
                scheduler.enqueue(s);
            }
            dropCancelled();
            if (scheduler.idle()) {
                runningCount = 0;
                countBlocks();
                if (tasks.isEmpty()) {
                    LockSupport.parkNanos(this, 50_000_000L);
                }
                continue;
            }
            step();
        }
        for (Sequence s : new ArrayList<>(scheduler.running())) {
            finish(s, FinishReason.CANCELLED, null);
        }
        for (Sequence s : new ArrayList<>(scheduler.waiting())) {
            finish(s, FinishReason.CANCELLED, null);
        }
        for (Runnable task; (task = tasks.poll()) != null; ) {
            task.run();  // close() waits for the thread: finish the embeddings already asked for
        }
        for (Sequence s; (s = incoming.poll()) != null; ) {
            s.handle.publish(new GenerationEvent.Done(FinishReason.CANCELLED, "", s.promptLength, 0, 0, 0, null));
        }
    }

    private void dropCancelled() {
        for (Sequence s : new ArrayList<>(scheduler.running())) {
            if (s.handle.isCancelled()) {
                finish(s, FinishReason.CANCELLED, null);
            }
        }
        for (Sequence s : new ArrayList<>(scheduler.waiting())) {
            if (s.handle.isCancelled()) {
                finish(s, FinishReason.CANCELLED, null);
            }
        }
    }

    private void step() {
        try {
            forwardAndSample(scheduler.plan(batch));
        } finally {
            scheduler.stepDone();
        }
    }

    private void forwardAndSample(List<Sequence> owners) {
        runningCount = scheduler.runningCount();
        try {
            runner.forward(batch, logits);
        } catch (RuntimeException | Error e) {
            String message = "forward pass failed: " + e;
            if (fatal(e)) {
                // the weights cannot be read (a truncated mapped file faults): nothing this model runs can succeed
                failure = describe(e);
                message = new EngineFailedException(options.name(), failure).getMessage();
                for (Sequence s : new ArrayList<>(scheduler.waiting())) {
                    finish(s, FinishReason.ERROR, message);
                }
            }
            for (Sequence s : new ArrayList<>(scheduler.running())) {
                finish(s, FinishReason.ERROR, message);
            }
            return;
        }
        scheduler.commit();  // the blocks this pass filled become findable by prefix
        steps++;
        int vocab = runner.vocabularySize();
        int decodeRows = 0;
        for (Sequence s : owners) {
            if (s.generated() > 0) {
                decodeRows++;  // its one row this step is its latest generated token, not prompt
            }
        }
        promptTokensComputed += batch.size() - decodeRows;
        generatedTokens += owners.size();
        countBlocks();
        for (int row = 0; row < owners.size(); row++) {
            Sequence s = owners.get(row);
            int token;
            try {
                token = s.sampler.sample(logits, row * vocab, vocab, s.ids, s.length);
            } catch (RuntimeException e) {
                // one sequence's sampler failing ends that sequence, never the engine thread
                finish(s, FinishReason.ERROR, "sampling failed: " + e.getMessage());
                continue;
            }
            accept(s, token);
        }
    }

    private void countBlocks() {
        var blocks = runner.kvBlocks();
        kvBlocksCached = blocks.cachedUnused();
        kvBlocksUsed = blocks.totalBlocks() - blocks.available();
    }

    private void accept(Sequence s, int token) {
        if (s.firstTokenNanos == 0) {
            s.firstTokenNanos = System.nanoTime();
        }
        if (s.request.stopTokenIds().contains(token)) {
            s.append(token);
            finish(s, FinishReason.STOP, null);
            return;
        }
        s.append(token);
        String safe = s.stop.accept(s.decoder.append(token));
        s.text.append(safe);
        s.handle.publish(new GenerationEvent.Token(token, safe, s.sampler.lastLogprob(), s.sampler.lastTopLogprobs()));
        if (s.stop.stopped()) {
            finish(s, FinishReason.STOP, null);
        } else if (s.generated() >= s.request.maxTokens() || s.length >= runner.contextLength()) {
            finish(s, FinishReason.LENGTH, null);
        }
    }

    private void finish(Sequence s, FinishReason reason, String error) {
        int slot = scheduler.remove(s);
        if (slot >= 0) {
            runner.releaseSlot(slot);
        }
        queued.decrementAndGet();
        if (reason == FinishReason.STOP || reason == FinishReason.LENGTH) {
            String tail = s.stop.accept(s.decoder.flush()) + s.stop.flush();
            if (!tail.isEmpty()) {
                s.text.append(tail);
                s.handle.publish(new GenerationEvent.Token(-1, tail, Float.NaN, List.of()));
            }
        }
        long now = System.nanoTime();
        int generated = s.generated();
        s.handle.publish(new GenerationEvent.Done(reason, s.text.toString(), s.promptLength, generated,
                s.firstTokenNanos == 0 ? 0 : s.firstTokenNanos - s.submittedNanos, now - s.submittedNanos, error));
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        runner.close();
    }
}
